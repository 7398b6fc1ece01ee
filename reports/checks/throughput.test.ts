import { describe, expect, it } from 'vitest';
import { judgeOne, phases, row, runData, secs, win } from './test-run.ts';

const history = phases([['baseline', 0]], 10);
const r = row({ metric: 'throughput', objective: { op: '>=', value: 1000 }, unit: 'req/s', scaled: true });

describe('throughput', () => {
  it('passes against a scaled objective and says so', () => {
    const metrics = secs(0, 10, (s) => win(s, 60));
    const v = judgeOne(runData({ history, metrics }), r, [], 0.05);
    expect(v).toMatchObject({ verdict: 'pass', measured: 60, objective: { op: '>=', value: 50 } });
    expect(v.detail).toContain('× scale 0.05');
  });

  it('counts seconds in which nothing completed', () => {
    // 60 req/s for 5 s, then nothing: 30 req/s over the 10 s window.
    const metrics = secs(0, 5, (s) => win(s, 60));
    const v = judgeOne(runData({ history, metrics }), r, [], 0.05);
    expect(v).toMatchObject({ verdict: 'fail', measured: 30 });
  });

  it('is unknown when the window has no requests', () => {
    expect(judgeOne(runData({ history, metrics: [] }), r).verdict).toBe('unknown');
  });
});
