import { describe, expect, it } from 'vitest';
import { judgeOne, phases, row, runData, secs, win } from './test-run.ts';

const history = phases(
  [
    ['baseline', 0],
    ['fault', 10],
  ],
  20,
);
const metrics = secs(0, 20, (s) => win(s, 1000, s < 10 ? 0 : 5));
const r = row({ metric: 'availability', objective: { op: '>=', value: 99.9 }, unit: '%' });

describe('availability', () => {
  it('passes at 100 % in baseline', () => {
    expect(judgeOne(runData({ history, metrics }), { ...r, window: 'baseline' })).toMatchObject({
      verdict: 'pass',
      measured: 100,
    });
  });

  it('fails at 99.5 % during the fault with a negative margin', () => {
    const v = judgeOne(runData({ history, metrics }), { ...r, window: 'fault' });
    expect(v).toMatchObject({ verdict: 'fail', measured: 99.5 });
    expect(v.margin).toBeCloseTo(-0.4, 6);
  });

  it('is unknown without metrics.jsonl', () => {
    expect(judgeOne(runData({ history, metrics: null }), r).detail).toContain('metrics.jsonl is missing');
  });
});
