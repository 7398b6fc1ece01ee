import { describe, expect, it } from 'vitest';
import { PhaseTimer } from './phase-timer.ts';

describe('PhaseTimer', () => {
  it('sums phases over the batches of a window and starts over after the summary', () => {
    const t = new PhaseTimer(10_000, 0);
    t.add('postgres', 10);
    t.add('kafka', 30);
    expect(t.batchDone(100, 4_000)).toBeNull();
    t.add('postgres', 20);
    const s = t.batchDone(50, 10_000);
    expect(s).toEqual({
      windowSec: 10,
      batches: 2,
      messages: 150,
      commitsPerSec: 0.2,
      meanMs: { postgres: 15, kafka: 15 },
      maxMs: { postgres: 20, kafka: 30 },
    });
    t.add('postgres', 1);
    expect(t.batchDone(1, 21_000)?.meanMs).toEqual({ postgres: 1 });
  });
});
