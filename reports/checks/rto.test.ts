import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../../lib/run-format.ts';
import type { LatencyBound } from '../../lib/slo.ts';
import { SliBounds } from './good-requests.ts';
import { sliRecovery } from './sli-recovery.ts';
import { faultStart, faultStop, judgeOne, phases, plan, row, runData, secs, win } from './test-run.ts';

const history = [
  ...phases(
    [
      ['baseline', 0],
      ['fault', 10],
      ['recovery', 30],
      ['after', 40],
    ],
    60,
  ),
  faultStart(10_000, 'f1', 'kill-broker'),
  faultStop(30_000, 'f1'),
].sort((a, b) => a.t - b.t);

/** Half the requests fail in seconds [15, 20); 900 ms latency in [20, 25). */
const metrics = secs(0, 60, (s) =>
  win(s, 10, s >= 15 && s < 20 ? 5 : 0, { latencyMs: Array(10).fill(s >= 20 && s < 25 ? 900 : 10) }),
);
const avail = row({
  metric: 'availability',
  id: 'all.avail',
  objective: { op: '>=', value: 99 },
  unit: '%',
  window: 'steady',
});
const lat = row({
  metric: 'latency',
  id: 'all.p95',
  params: { percentile: 95 },
  objective: { op: '<=', value: 500 },
  unit: 'ms',
  window: 'steady',
});
const rto = row({
  metric: 'rto',
  id: 'broker.rto',
  params: { faultKind: 'kill-broker' },
  objective: { op: '<=', value: 30 },
  unit: 's',
});

describe('rto', () => {
  it('measures detection and recovery of the success ratio', () => {
    const r = sliRecovery(
      { metrics },
      { faultId: 'f1', fault: 'kill-broker', targets: [], startMs: 10_000, stopMs: 30_000 },
      60_000,
      {
        tag: '*',
        success: { op: '>=', value: 99 },
        p95Ms: null,
        bounds: new SliBounds(),
        from: 'test',
      },
    );
    expect(r).toEqual({ detectionMs: 5000, rtoMs: 10_000 });
    const v = judgeOne(runData({ history, metrics }), rto, [avail, lat]);
    expect(v).toMatchObject({ verdict: 'pass', measured: 10, margin: 20 });
    expect(v.detail).toContain('all.avail');
  });

  it('includes p95 when the row says so, and fails over the objective', () => {
    const withP95 = {
      ...rto,
      params: { ...rto.params, percentile: 95 as const },
      objective: { op: '<=' as const, value: 12 },
    };
    expect(judgeOne(runData({ history, metrics }), withP95, [avail, lat])).toMatchObject({
      verdict: 'fail',
      measured: 15,
    });
  });

  it("slow answers are out of the SLI: a request later than its endpoint's bound is not good", () => {
    const bound = (maxMs: number): LatencyBound[] => [
      { tag: '*', maxMs, source: { seed: 'architecture.md', table: 't', row: 'r' } },
    ];
    const v = judgeOne(runData({ history, metrics }), rto, [avail], undefined, bound(500));
    expect(v).toMatchObject({ verdict: 'pass', measured: 15 });
    expect(v.detail).toContain("good = succeeded each within its endpoint's bound");
    // 1 s tolerates the 900 ms seconds: recovery as for errors alone.
    expect(judgeOne(runData({ history, metrics }), rto, [avail], undefined, bound(1000))).toMatchObject({
      measured: 10,
    });
    // The same bound decides availability: 5 seconds of 10 slow requests are 50 bad of 600.
    const overRun = { ...avail, window: 'run' as const };
    expect(
      judgeOne(runData({ history, metrics }), overRun, [], undefined, bound(500)).evidence,
    ).toMatchObject({
      count: 600,
      errors: 25,
      slow: 50,
    });
  });

  it('seconds after the last request of the run are the end of load, not an outage', () => {
    const ended = secs(0, 50, (s) => win(s, 10, s >= 15 && s < 20 ? 5 : 0));
    const r = sliRecovery(
      { metrics: ended },
      { faultId: 'f1', fault: 'kill-broker', targets: [], startMs: 30_000, stopMs: 40_000 },
      60_000,
      { tag: '*', success: { op: '>=', value: 99 }, p95Ms: null, bounds: new SliBounds(), from: 'test' },
    );
    expect(r).toEqual({ rtoMs: 0, detectionMs: null });
  });

  it('is 0 when the SLI never left its objective', () => {
    const calm = secs(0, 60, (s) => win(s, 10));
    expect(judgeOne(runData({ history, metrics: calm }), rto, [avail])).toMatchObject({
      verdict: 'pass',
      measured: 0,
    });
  });

  it('a fault that never recovered fails once the observed time exceeds the objective, else is unknown', () => {
    const broken = secs(0, 60, (s) => win(s, 10, s >= 15 ? 10 : 0));
    expect(judgeOne(runData({ history, metrics: broken }), rto, [avail])).toMatchObject({
      verdict: 'fail',
      measured: 50,
    });
    const long = { ...rto, objective: { op: '<=' as const, value: 300 } };
    expect(judgeOne(runData({ history, metrics: broken }), long, [avail]).verdict).toBe('unknown');
    // A lower-bound objective (calibration.rto.lower) is met by the observed time, or undecided.
    const atLeast = (value: number) => ({ ...rto, objective: { op: '>=' as const, value } });
    expect(judgeOne(runData({ history, metrics: broken }), atLeast(18), [avail]).verdict).toBe('pass');
    expect(judgeOne(runData({ history, metrics: broken }), atLeast(100), [avail]).verdict).toBe('unknown');
  });

  it('is unknown without a matching fault, without metrics, or without the p95 row it asks for', () => {
    expect(
      judgeOne(runData({ history, metrics }), { ...rto, params: { faultKind: 'az-outage' } }).verdict,
    ).toBe('unknown');
    expect(judgeOne(runData({ history, metrics: null }), rto).verdict).toBe('unknown');
    const v = judgeOne(runData({ history, metrics }), { ...rto, params: { percentile: 95 } }, [avail]);
    expect(v.verdict).toBe('unknown');
    expect(v.detail).toContain('no latency p95 row');
  });

  it('is unknown when a planned fault of its kind was not injected as planned, naming it', () => {
    const planned = plan({
      faults: [
        { id: 'f1', fault: 'kill-broker', selector: 'kafka:controller-leader', atSec: 10, forSec: 20 },
        { id: 'f2', fault: 'kill-broker', selector: 'name:kafka-9', atSec: 45, forSec: 5 },
        { id: 'other', fault: 'pause', selector: 'haproxy', atSec: 50, forSec: 2 },
      ],
    });
    const hit = history.map(
      (e): HistoryEvent =>
        e.kind === 'fault-start' ? { ...e, targets: [{ name: 'kafka-1', az: 'az-a' }] } : e,
    );
    const run = runData({ plan: planned, history: hit, metrics });
    const v = judgeOne(run, rto, [avail]);
    expect(v).toMatchObject({ verdict: 'unknown', measured: null });
    expect(v.detail).toBe(
      'not measurable as planned: fault f2 (kill-broker on name:kafka-9), planned at 45 s for 5 s, was not injected: the history has no fault-start for it',
    );
    const ofKind = { ...rto, params: { ...rto.params, faultKind: 'pause' } };
    expect(judgeOne(run, ofKind, [avail]).detail).toMatch(/^not measurable as planned: fault other /);
    const asPlanned = runData({ plan: plan({ faults: planned.faults.slice(0, 1) }), history: hit, metrics });
    expect(judgeOne(asPlanned, rto, [avail]).verdict).toBe('pass');
  });
});

describe('rto-error', () => {
  const err = row({
    metric: 'rto-error',
    id: 'calibration.err',
    params: { faultKind: 'kill-broker' },
    objective: { op: '<=', value: 5 },
    unit: '%',
  });
  /** Every request fails from 10 s until `until`. */
  const outage = (until: number) => secs(0, 60, (s) => win(s, 10, s >= 10 && s < until ? 10 : 0));

  it('is the RTO against the outage that happened, from fault-start to the last undo step', () => {
    const healed = [
      ...history,
      {
        kind: 'fault-step',
        t: 29_000,
        wall: 'w',
        faultId: 'f1',
        step: 'recover',
        action: 'undo',
        exitCode: 0,
      } as HistoryEvent,
    ].sort((a, b) => a.t - b.t);
    // Recovered at 29 s with the undo at 29 s: an exact reading.
    expect(judgeOne(runData({ history: healed, metrics: outage(29) }), err)).toMatchObject({
      verdict: 'pass',
      measured: 0,
    });
    // RTO 15 s (recovered at 25 s) for an outage of 19 s (fault-start 10 s to undo 29 s): 21.05 % short.
    expect(judgeOne(runData({ history: healed, metrics: outage(25) }), err)).toMatchObject({
      verdict: 'fail',
      measured: 21.05,
    });
  });

  it('without undo steps the truth is the fault span (start to fault-stop)', () => {
    expect(judgeOne(runData({ history, metrics: outage(30) }), err)).toMatchObject({
      verdict: 'pass',
      measured: 0,
    });
    expect(judgeOne(runData({ history, metrics: outage(31) }), err)).toMatchObject({
      verdict: 'pass',
      measured: 5,
    });
  });

  it('a fault that never recovered is unknown while its error is within the objective, else fail', () => {
    const never = secs(0, 60, (s) => win(s, 10, s >= 10 ? 10 : 0));
    expect(judgeOne(runData({ history, metrics: never }), err).verdict).toBe('fail');
  });
});
