import { describe, expect, it } from 'vitest';
import { parseStartLine } from './ws-load-engine.ts';

describe('parseStartLine', () => {
  it('reads the schedule start ws-load writes before its records', () => {
    expect(parseStartLine('{"schedule_start_epoch_ms":1764750000123}')).toBe(1764750000123);
  });

  it('is null for a record line and for a start that is not a number', () => {
    expect(
      parseStartLine('{"endpoint":"search","intended_us":1,"lag_us":0,"duration_us":5,"status":200}'),
    ).toBeNull();
    expect(parseStartLine('{"schedule_start_epoch_ms":"soon"}')).toBeNull();
  });
});
