import { describe, expect, it } from 'vitest';
import { judgeOne, phases, row, runData, sample } from './test-run.ts';

function history(restartAt?: number) {
  let hits = 1000;
  let misses = 1000;
  const out = [...phases([['baseline', 10]], 30)];
  for (let s = 0; s < 30; s++) {
    if (s === restartAt) {
      hits = 0;
      misses = 0;
    }
    // before the window: 50 % hits; in it: 90 hits and 10 misses a second.
    hits += s < 10 ? 50 : 90;
    misses += s < 10 ? 50 : 10;
    out.push(
      sample(s * 1000, 'service-metrics', {
        cacheHits: hits,
        cacheMisses: misses,
        breakers: [],
        degradedResponses: 0,
      }),
    );
  }
  return out.sort((a, b) => a.t - b.t);
}
const r = row({
  metric: 'cache-hit-ratio',
  objective: { op: '>=', value: 85 },
  unit: '%',
  window: 'baseline',
});

describe('cache-hit-ratio', () => {
  it('uses counter differences over the window', () => {
    expect(judgeOne(runData({ history: history() }), r)).toMatchObject({ verdict: 'pass', measured: 90 });
    expect(
      judgeOne(runData({ history: history() }), { ...r, objective: { op: '>=', value: 95 } }).verdict,
    ).toBe('fail');
  });

  it('survives a service restart (counter reset)', () => {
    expect(judgeOne(runData({ history: history(20) }), r)).toMatchObject({ verdict: 'pass', measured: 90 });
  });

  it('is unknown without samples', () => {
    expect(judgeOne(runData({ history: phases([['baseline', 0]], 10) }), r).verdict).toBe('unknown');
  });
});
