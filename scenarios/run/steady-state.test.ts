import { describe, expect, it } from 'vitest';
import { isSteady } from './steady-state.ts';

const lag = (stream: number, projector = 0) => [
  { group: 'stream-normalizer', topic: 'supplier.raw', lagOffsets: stream * 10, lagSec: stream },
  {
    group: 'reservations-projector',
    topic: 'reservations.commands',
    lagOffsets: projector,
    lagSec: projector,
  },
];

describe('isSteady', () => {
  it('wants three samples in a row with every group at most 2.5 s behind', () => {
    expect(isSteady([lag(0), lag(1)])).toBe(false);
    expect(isSteady([lag(9), lag(0.5), lag(2.5), lag(1)])).toBe(true);
    expect(isSteady([lag(0), lag(0), lag(3), lag(0), lag(0)])).toBe(false);
  });

  it('counts a group other than the stream, and an unreadable sample breaks the run of samples', () => {
    expect(isSteady([lag(0, 4), lag(0, 4), lag(0, 4)])).toBe(false);
    expect(isSteady([lag(0), null, lag(0), lag(0)])).toBe(false);
  });
});
