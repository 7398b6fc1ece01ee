import { describe, expect, it } from 'vitest';
import { judgeOne, phases, row, runData, sample, secs, win } from './test-run.ts';

function run(degradedPerSec: number, errorsPerSec: number) {
  const history = [
    ...phases(
      [
        ['baseline', 0],
        ['fault', 10],
        ['after', 20],
      ],
      30,
    ),
    ...Array.from({ length: 30 }, (_, s) =>
      sample(s * 1000, 'service-metrics', {
        cacheHits: 0,
        cacheMisses: 0,
        breakers: [],
        degradedResponses: s >= 10 ? (s - 9) * degradedPerSec : 0,
      }),
    ),
  ].sort((a, b) => a.t - b.t);
  const metrics = secs(0, 30, (s) => win(s, 100, s >= 10 && s < 20 ? errorsPerSec : 0, { tag: 'search' }));
  return runData({ history, metrics });
}
const r = row({
  metric: 'degraded-not-failed',
  objective: { op: '>=', value: 90 },
  unit: '%',
  window: 'fault',
});

describe('degraded-not-failed', () => {
  it('passes when failures became degraded answers', () => {
    expect(judgeOne(run(19, 1), r)).toMatchObject({ verdict: 'pass', measured: 95 });
  });
  it('fails when searches errored instead', () => {
    expect(judgeOne(run(1, 9), r)).toMatchObject({ verdict: 'fail', measured: 10 });
  });
  it('is unknown without service metrics', () => {
    const noSamples = run(1, 1);
    noSamples.history = (noSamples.history ?? []).filter((e) => e.kind !== 'sample');
    expect(judgeOne(noSamples, r).verdict).toBe('unknown');
  });
});
