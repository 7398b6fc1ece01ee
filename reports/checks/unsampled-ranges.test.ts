import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../../lib/run-format.ts';
import { judgeOne, phases, row, runData, sample } from './test-run.ts';
import { unsampledRanges } from './unsampled-ranges.ts';

const everySecond = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => (from + i) * 1000);

describe('unsampledRanges', () => {
  it('names ranges long enough for the probe to have sampled that hold no sample', () => {
    const ranges = [
      { startMs: 0, endMs: 10_000 },
      { startMs: 20_000, endMs: 30_000 },
    ];
    expect(unsampledRanges(everySecond(0, 30), ranges)).toEqual([]);
    expect(unsampledRanges(everySecond(0, 10), ranges)).toEqual([{ startMs: 20_000, endMs: 30_000 }]);
  });

  it('does not ask a sample of a range shorter than twice the probe interval (or 2 s)', () => {
    const fiveSecondly = [0, 5000, 10_000, 15_000, 20_000];
    expect(unsampledRanges(fiveSecondly, [{ startMs: 16_000, endMs: 19_500 }])).toEqual([]);
    expect(unsampledRanges(fiveSecondly, [{ startMs: 21_000, endMs: 32_000 }])).toHaveLength(1);
    expect(unsampledRanges([0, 1000], [{ startMs: 1500, endMs: 3000 }])).toEqual([]);
  });
});

/** baseline 0-10 s, fault 10-20 s, after 20-40 s; the probes fall silent from `silentFrom` s. */
function run(silentFrom: number) {
  const out: HistoryEvent[] = phases(
    [
      ['baseline', 0],
      ['fault', 10],
      ['after', 20],
    ],
    40,
  );
  for (let s = 0; s < silentFrom; s++) {
    out.push(
      sample(s * 1000, 'consumer-lag', {
        groups: [{ group: 'stream-normalizer', topic: 'a', lagOffsets: 0, lagSec: 1 }],
      }),
      sample(s * 1000, 'freshness', { ingestLagSec: 1, indexRefreshSec: 1 }),
      sample(s * 1000, 'service-metrics', {
        cacheHits: 90 * s,
        cacheMisses: 10 * s,
        breakers: [],
        degradedResponses: 0,
      }),
    );
  }
  return runData({ history: out.sort((a, b) => a.t - b.t) });
}

describe('a probe with no samples in part of the window a row needs', () => {
  const rows = [
    row({
      metric: 'consumer-lag',
      id: 'lag',
      params: { group: 'stream-normalizer', stat: 'p95-sec' },
      objective: { op: '<=', value: 5 },
      unit: 's',
      window: 'steady',
    }),
    row({
      metric: 'ingest-lag',
      id: 'ingest',
      objective: { op: '<=', value: 5 },
      unit: 's',
      window: 'steady',
    }),
    row({
      metric: 'index-refresh',
      id: 'refresh',
      objective: { op: '<=', value: 5 },
      unit: 's',
      window: 'steady',
    }),
    row({
      metric: 'cache-hit-ratio',
      id: 'cache',
      objective: { op: '>=', value: 85 },
      unit: '%',
      window: 'steady',
    }),
  ];

  it('passes when the probes sampled every part of the window', () => {
    for (const r of rows) expect(judgeOne(run(40), r).verdict, r.id).toBe('pass');
  });

  it('is unknown, naming the part, when a probe fell silent (steady = baseline and after)', () => {
    for (const r of rows) {
      const v = judgeOne(run(15), r);
      expect(v.verdict, r.id).toBe('unknown');
      expect(v.detail, r.id).toMatch(/in part of the window: window steady \(20-40 s\)$/);
    }
  });
});
