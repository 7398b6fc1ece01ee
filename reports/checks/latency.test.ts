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

  describe("the engine's own send lag", () => {
    const gen = (lagP99Ms: number) => ({
      engine: 'ws-load',
      intended: 300,
      achieved: 300,
      unsent: 0,
      late: 0,
      lagP99Ms,
      lagMaxMs: lagP99Ms,
      engineCpuSec: 1,
      engineMaxRssMiB: 20,
      valid: true,
    });
    // 50 ms everywhere against 40 ms.
    const slow = secs(0, 30, (s) => win(s, 10, 0, { tag: 'search', latencyMs: Array(10).fill(50) }));
    const row40 = { ...p95, window: 'run' as const, objective: { op: '<=' as const, value: 40 } };

    it('makes a miss unknown when the figure less the send lag would meet the objective', () => {
      const v = judgeOne(runData({ history, metrics: slow, generator: gen(15) }), row40);
      expect(v.verdict).toBe('unknown');
      expect(v.measured).toBeCloseTo(50, 0);
      expect(v.detail).toContain('send lag p99 15 ms');
    });

    it('keeps a miss a fail when the send lag cannot explain it, and a pass a pass', () => {
      expect(judgeOne(runData({ history, metrics: slow, generator: gen(5) }), row40).verdict).toBe('fail');
      const ok = judgeOne(runData({ history, metrics, generator: gen(30) }), { ...p95, window: 'steady' });
      expect(ok.verdict).toBe('pass');
      expect(ok.detail).toContain('engine send lag p99 30 ms included');
    });
  });
});
