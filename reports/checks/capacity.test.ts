import { describe, expect, it } from 'vitest';
import type { LatencyWindow } from '../../lib/run-format.ts';
import type { CapacityEvidence } from './capacity.ts';
import { judgeOne, phases, row, runData, win } from './test-run.ts';

const history = phases([['baseline', 0]], 40);
/** Four 10 s steps at 100..400 req/s; p95 grows with the rate: 400 req/s takes 900 ms. */
function stepped(latencyAt: (rate: number) => number, achievedShare = 1): LatencyWindow[] {
  const out: LatencyWindow[] = [];
  for (let s = 0; s < 40; s++) {
    const rate = 100 * (Math.floor(s / 10) + 1);
    const n = Math.round(rate * achievedShare);
    out.push(win(s, n, 0, { intendedRate: rate, latencyMs: Array(n).fill(latencyAt(rate)) }));
  }
  return out;
}
const cap = row({ metric: 'capacity', objective: { op: '>=', value: 250 }, unit: 'req/s', scaled: true });
const p95 = row({
  metric: 'latency',
  id: 'all.p95',
  params: { percentile: 95 },
  objective: { op: '<=', value: 500 },
  unit: 'ms',
  window: 'steady',
});

describe('capacity', () => {
  it('finds the steps, the knee and the highest sustained rate', () => {
    const run = runData({ history, metrics: stepped((r) => (r >= 400 ? 900 : 20)) });
    const v = judgeOne(run, cap, [p95]);
    const ev = v.evidence as CapacityEvidence;
    expect(ev.steps.map((s) => [s.rate, s.pass])).toEqual([
      [100, true],
      [200, true],
      [300, true],
      [400, false],
    ]);
    expect(ev.steps[3]?.failed[0]).toContain('all.p95');
    expect(ev.knee).toBe(400);
    expect(v).toMatchObject({ verdict: 'pass', measured: 300 });
  });

  it('fails when the knee comes below the scaled objective', () => {
    const run = runData({ history, metrics: stepped((r) => (r >= 200 ? 900 : 20)) });
    const v = judgeOne(run, cap, [p95], 1);
    expect(v).toMatchObject({ verdict: 'fail', measured: 100 });
    expect(judgeOne(run, cap, [p95], 0.2)).toMatchObject({ verdict: 'pass', objective: { value: 50 } });
  });

  it('a step k6 could not drive does not count as sustained', () => {
    const run = runData({ history, metrics: stepped(() => 20, 0.5) });
    expect(judgeOne(run, cap, [p95])).toMatchObject({ verdict: 'fail', measured: 0 });
  });

  it('is unknown when the run has no steps', () => {
    const flat = runData({
      history,
      metrics: stepped(() => 20).map((w) => ({ ...w, intendedRate: undefined })),
    });
    expect(judgeOne(flat, cap, [p95]).verdict).toBe('unknown');
  });
});
