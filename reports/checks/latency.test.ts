import { describe, expect, it } from 'vitest';
import { judgeOne, phases, row, runData, secs, win } from './test-run.ts';

const history = phases(
  [
    ['baseline', 0],
    ['fault', 10],
    ['after', 20],
  ],
  30,
);
// 1 ms everywhere, but 800 ms for every search request during the fault.
const metrics = [
  ...secs(0, 30, (s) =>
    win(s, 10, 0, { tag: 'search', latencyMs: Array(10).fill(s >= 10 && s < 20 ? 800 : 1) }),
  ),
];
const p95 = row({
  metric: 'latency',
  id: 'search.p95',
  params: { tag: 'search', percentile: 95 },
  objective: { op: '<=', value: 300 },
  unit: 'ms',
});

describe('latency', () => {
  it('passes over the steady window', () => {
    const v = judgeOne(runData({ history, metrics }), { ...p95, window: 'steady' });
    expect(v.verdict).toBe('pass');
    expect(v.measured).toBeCloseTo(1, 1);
    expect(v.margin).toBeGreaterThan(298);
  });

  it('fails over the fault window, with a negative margin', () => {
    const v = judgeOne(runData({ history, metrics }), { ...p95, window: 'fault' });
    expect(v.verdict).toBe('fail');
    expect(v.measured).toBeGreaterThan(799);
    expect(v.margin).toBeLessThan(0);
  });

  it('merges the whole run: a third of requests slow puts p95 in the slow tail', () => {
    expect(judgeOne(runData({ history, metrics }), { ...p95, window: 'run' }).verdict).toBe('fail');
    const inSec = judgeOne(runData({ history, metrics }), {
      ...p95,
      window: 'steady',
      unit: 's',
      objective: { op: '<', value: 0.3 },
    });
    expect(inSec.measured).toBeLessThan(0.01);
  });

  it('is unknown without metrics, for an unseen tag, or for a phase never reached', () => {
    expect(judgeOne(runData({ history, metrics: null }), p95).verdict).toBe('unknown');
    const other = judgeOne(runData({ history, metrics }), { ...p95, params: { tag: 'book' } });
    expect(other.verdict).toBe('unknown');
    expect(other.detail).toContain('no requests');
    expect(judgeOne(runData({ history, metrics }), { ...p95, window: 'recovery' }).detail).toContain(
      'never reached',
    );
  });
});
