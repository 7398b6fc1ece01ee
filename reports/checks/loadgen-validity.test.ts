import { describe, expect, it } from 'vitest';
import { judge } from './judge.ts';
import { loadValidity } from './loadgen-validity.ts';
import { judgeOne, phases, row, runData, secs, win } from './test-run.ts';

const history = phases(
  [
    ['baseline', 0],
    ['fault', 10],
  ],
  20,
);
const r = row({ metric: 'loadgen-validity', objective: { op: '>=', value: 95 }, unit: '%' });
const good = secs(0, 20, (s) => win(s, 100, 0, { intendedRate: 100 }));

describe('loadgen-validity', () => {
  it('passes when k6 kept to the intended rate', () => {
    expect(judgeOne(runData({ history, metrics: good }), r)).toMatchObject({
      verdict: 'pass',
      measured: 100,
    });
  });

  it('is unknown, never fail, when the engine did not send arrivals', () => {
    const metrics = good.map((w) => (w.sec === 12 ? { ...w, droppedIterations: 3 } : w));
    const v = judgeOne(runData({ history, metrics }), r);
    expect(v.verdict).toBe('unknown');
    expect(v.detail).toContain('did not send 3 intended arrivals');
  });

  it('is unknown when the engine fell behind (its own self-check), and so is the whole run whatever else fails', () => {
    const generator = {
      engine: 'ws-load',
      intended: 2000,
      achieved: 2000,
      unsent: 0,
      late: 46,
      lateLagMs: 100,
      lagP99Ms: 180,
      lagMaxMs: 400,
      engineCpuSec: 1,
      engineMaxRssMiB: 30,
      valid: false,
      reason:
        'the engine sent 46 requests more than 100 ms late (> 1 % of the intended; p99 send lag 180.0 ms): it fell behind',
    };
    const v = loadValidity(runData({ history, metrics: good, generator }));
    expect(v.valid).toBe(false);
    expect(v.reason).toContain('ws-load: the engine sent 46 requests more than 100 ms late');
    const failing = row({ id: 'x.err', metric: 'error-rate', objective: { op: '<=', value: 0 }, unit: '%' });
    const bad = secs(0, 20, (s) => win(s, 100, 10, { intendedRate: 100 }));
    expect(judge(runData({ history, metrics: bad, generator }), [failing]).verdict).toBe('unknown');
    expect(
      loadValidity(runData({ history, metrics: good, generator: { ...generator, valid: true, late: 1 } }))
        .valid,
    ).toBe(true);
  });

  it('is unknown when a phase fell under 95 % of the intended rate', () => {
    const metrics = secs(0, 20, (s) => win(s, s >= 10 ? 90 : 100, 0, { intendedRate: 100 }));
    const v = loadValidity(runData({ history, metrics }));
    expect(v.valid).toBe(false);
    expect(v.reason).toContain('fault at 10 s achieved 90 %');
    expect(judgeOne(runData({ history, metrics }), r).verdict).toBe('unknown');
  });

  it('makes the whole run unknown even when another row fails', () => {
    const metrics = secs(0, 20, (s) => win(s, 50, 50, { intendedRate: 100 }));
    const errors = row({ metric: 'error-rate', objective: { op: '<', value: 1 }, unit: '%' });
    const res = judge(runData({ history, metrics }), [errors], { now: 'T' });
    expect(res.slos[0]?.verdict).toBe('fail');
    expect(res.slos.find((s) => s.id === 'windshear.load-valid')?.verdict).toBe('unknown');
    expect(res.verdict).toBe('unknown');
  });

  it("explains an invalid load even when the table's own load rows pass", () => {
    // 100 % over the run and nothing dropped, but the fault phase fell to 90 %.
    const metrics = secs(0, 20, (s) => win(s, s < 10 ? 110 : 90, 0, { intendedRate: 100 }));
    const ratio = row({
      metric: 'loadgen-validity',
      id: 'a',
      params: { stat: 'achieved-ratio' },
      objective: { op: '>=', value: 99 },
      unit: '%',
    });
    const res = judge(runData({ history, metrics }), [ratio], { now: 'T' });
    expect(res.slos.map((s) => [s.id, s.verdict])).toEqual([
      ['a', 'pass'],
      ['windshear.load-valid', 'unknown'],
    ]);
    expect(res.verdict).toBe('unknown');
  });

  it('is unknown without metrics', () => {
    expect(loadValidity(runData({ history, metrics: null })).valid).toBeNull();
    expect(judgeOne(runData({ history, metrics: null }), r).verdict).toBe('unknown');
  });
});

describe('loadgen-validity stats (harness.yaml rows)', () => {
  const dropped = row({
    metric: 'loadgen-validity',
    id: 'd',
    params: { stat: 'dropped-iterations' },
    objective: { op: '<=', value: 0 },
    unit: 'count',
  });
  const ratio = row({
    metric: 'loadgen-validity',
    id: 'a',
    params: { stat: 'achieved-ratio' },
    objective: { op: '>=', value: 99 },
    unit: '%',
  });

  it('passes on a clean run', () => {
    expect(judgeOne(runData({ history, metrics: good }), dropped)).toMatchObject({
      verdict: 'pass',
      measured: 0,
    });
    expect(judgeOne(runData({ history, metrics: good }), ratio)).toMatchObject({
      verdict: 'pass',
      measured: 100,
    });
  });

  it('is unknown, not fail, outside the objective', () => {
    const metrics = secs(0, 20, (s) =>
      win(s, s === 5 ? 60 : 100, 0, { intendedRate: 100, droppedIterations: s === 5 ? 40 : 0 }),
    );
    expect(judgeOne(runData({ history, metrics }), dropped)).toMatchObject({
      verdict: 'unknown',
      measured: 40,
    });
    expect(judgeOne(runData({ history, metrics }), ratio)).toMatchObject({
      verdict: 'unknown',
      measured: 98,
    });
  });

  it('is unknown without metrics or intended rates', () => {
    expect(judgeOne(runData({ history, metrics: null }), dropped).verdict).toBe('unknown');
    const noIntent = secs(0, 20, (s) => win(s, 100));
    expect(judgeOne(runData({ history, metrics: noIntent }), ratio).detail).toContain('no intended rate');
  });
});
