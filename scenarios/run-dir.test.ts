import { describe, expect, it } from 'vitest';
import { RUNS_DIR, runDirFor, runStamp } from './run-dir.ts';

describe('run directory names', () => {
  it('stamps UTC to the second, sortable and path-safe', () => {
    expect(runStamp(new Date('2026-03-01T12:34:56.789Z'))).toBe('20260301T123456Z');
  });
  it('places a run under reports/runs/<scenario>/<stamp>', () => {
    expect(runDirFor('broker-loss', new Date('2026-03-01T12:34:56Z'))).toBe(
      `${RUNS_DIR}/broker-loss/20260301T123456Z`,
    );
    expect(runDirFor('x', new Date('2026-03-01T00:00:00Z'), '/tmp/r')).toBe('/tmp/r/x/20260301T000000Z');
  });
});
