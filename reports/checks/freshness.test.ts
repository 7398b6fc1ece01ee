import { describe, expect, it } from 'vitest';
import { judgeOne, phases, row, runData, sample } from './test-run.ts';

const history = [
  ...phases(
    [
      ['baseline', 0],
      ['fault', 20],
    ],
    40,
  ),
  ...Array.from({ length: 40 }, (_, s) =>
    sample(s * 1000, 'freshness', {
      ingestLagSec: s < 20 ? 2 : s === 30 ? 45 : 8,
      indexRefreshSec: s % 2 === 0 ? 1 : null,
    }),
  ),
].sort((a, b) => a.t - b.t);
const ingest = row({ metric: 'ingest-lag', objective: { op: '<=', value: 10 }, unit: 's', window: 'fault' });

describe('freshness', () => {
  it('ingest lag p95 passes, max fails over the fault', () => {
    expect(judgeOne(runData({ history }), ingest)).toMatchObject({ verdict: 'pass', measured: 8 });
    expect(judgeOne(runData({ history }), { ...ingest, params: { stat: 'max' } })).toMatchObject({
      verdict: 'fail',
      measured: 45,
    });
  });

  it('index refresh p95 skips samples without a value', () => {
    const refresh = row({
      metric: 'index-refresh',
      objective: { op: '<=', value: 1000 },
      unit: 'ms',
      window: 'run',
    });
    expect(judgeOne(runData({ history }), refresh)).toMatchObject({ verdict: 'pass', measured: 1000 });
    expect(judgeOne(runData({ history }), { ...refresh, objective: { op: '<', value: 1000 } }).verdict).toBe(
      'fail',
    );
  });

  it('index refresh shows the write before it beside the refresh, which alone is judged', () => {
    const withWrites = [
      ...phases([['baseline', 0]], 10),
      ...Array.from({ length: 10 }, (_, s) =>
        sample(s * 1000, 'freshness', { ingestLagSec: 1, indexRefreshSec: 1, indexWriteSec: 3 }),
      ),
    ].sort((a, b) => a.t - b.t);
    const refresh = row({
      metric: 'index-refresh',
      objective: { op: '<=', value: 1 },
      unit: 's',
      window: 'run',
    });
    const r = judgeOne(runData({ history: withWrites }), refresh);
    expect(r).toMatchObject({ verdict: 'pass', measured: 1, evidence: { writeP95Sec: 3 } });
    expect(r.detail).toContain('the write before it: p95 3 s');
  });

  it('is unknown without samples in the window', () => {
    expect(judgeOne(runData({ history: phases([['fault', 0]], 10) }), ingest).verdict).toBe('unknown');
    expect(judgeOne(runData({ history: null }), ingest).verdict).toBe('unknown');
  });
});
