import { describe, expect, it } from 'vitest';
import { judgeOne, phases, row, runData, secs, win } from './test-run.ts';

const history = phases(
  [
    ['baseline', 0],
    ['fault', 10],
  ],
  20,
);
// 100 req/s; 1 error/s in baseline, 20 errors/s in the fault.
const metrics = secs(0, 20, (s) => win(s, 100, s < 10 ? 1 : 20));
const r = row({ metric: 'error-rate', objective: { op: '<', value: 5 }, unit: '%' });

describe('error-rate', () => {
  it('passes when the failed share is under the objective', () => {
    const v = judgeOne(runData({ history, metrics }), { ...r, window: 'baseline' });
    expect(v).toMatchObject({ verdict: 'pass', measured: 1, margin: 4 });
  });

  it('fails during the fault', () => {
    expect(judgeOne(runData({ history, metrics }), { ...r, window: 'fault' })).toMatchObject({
      verdict: 'fail',
      measured: 20,
    });
  });

  it('is unknown when no request was recorded in the window', () => {
    const v = judgeOne(runData({ history, metrics: secs(0, 10, (s) => win(s, 100)) }), {
      ...r,
      window: 'fault',
    });
    expect(v.verdict).toBe('unknown');
    expect(v.measured).toBeNull();
  });
});
