import { describe, expect, it } from 'vitest';
import { EXIT } from '../../lib/errors.ts';
import { type HistoryEvent, outcomeOf, type PlannedFault } from '../../lib/run-format.ts';
import { judge } from './judge.ts';
import { planDeviations } from './plan-deviations.ts';
import { faultStart, faultStop, phases, plan, row, runData, secs, win } from './test-run.ts';

const wall = (t: number) => new Date(Date.UTC(2025, 0, 1) + t).toISOString();
const pause: PlannedFault = { id: 'pause-edge', fault: 'pause', selector: 'haproxy', atSec: 10, forSec: 5 };
const second: PlannedFault = {
  id: 'kill-two',
  fault: 'kill',
  selector: 'name:search-api-a2',
  atSec: 25,
  forSec: 5,
};
const edge = [{ name: 'haproxy', az: 'edge' as const, role: 'edge' }];
const step = (
  t: number,
  faultId: string,
  s: 'apply' | 'recover',
  exitCode: number,
  action = 'pause haproxy',
) => ({ kind: 'fault-step', t, wall: wall(t), faultId, step: s, action, exitCode }) as HistoryEvent;
const faultError = (t: number, faultId: string, stage: 'inject' | 'heal', codes: string[], message: string) =>
  ({ kind: 'fault-error', t, wall: wall(t), faultId, stage, codes, message }) as HistoryEvent;
const note = (t: number, message: string): HistoryEvent => ({
  kind: 'note',
  t,
  wall: wall(t),
  level: 'error',
  message,
});

/** The first fault injected and healed cleanly. */
const clean: HistoryEvent[] = [
  faultStart(10_000, 'pause-edge', 'pause', edge),
  step(10_010, 'pause-edge', 'apply', 0),
  step(15_010, 'pause-edge', 'recover', 0, 'resume haproxy'),
  faultStop(15_020, 'pause-edge'),
];
const deviations = (history: HistoryEvent[] | null, faults: PlannedFault[] = [pause]) =>
  planDeviations(runData({ plan: plan({ faults }), history }));
const codes = (history: HistoryEvent[] | null, faults: PlannedFault[] = [pause]) =>
  deviations(history, faults).map((d) => `${d.faultId} ${d.code}`);

describe('planDeviations', () => {
  it('finds none when every planned fault was injected on a target and healed', () => {
    expect(deviations(clean)).toEqual([]);
    expect(deviations([], [])).toEqual([]);
  });

  it('a fault not injected: no fault-start, with the reason the runner recorded', () => {
    const history = [
      ...clean,
      faultError(25_100, 'kill-two', 'inject', ['platform-cannot'], 'kill needs processFaults'),
    ];
    const [d] = deviations(history, [pause, second]);
    expect(d).toMatchObject({ code: 'fault-not-injected', faultId: 'kill-two' });
    expect(d?.detail).toBe(
      'fault kill-two (kill on name:search-api-a2), planned at 25 s for 5 s, was not injected: kill needs processFaults',
    );
    expect(codes(clean, [pause, second])).toEqual(['kill-two fault-not-injected']);
  });

  it('a selector that resolved to nothing, from a fault-error, a run of before it (a note) or empty targets', () => {
    const refused = "selector 'redis:replicas' matched nothing: no live replica";
    expect(
      codes(
        [...clean, faultError(25_100, 'kill-two', 'inject', ['selector-matched-nothing'], refused)],
        [pause, second],
      ),
    ).toEqual(['kill-two selector-matched-nothing']);
    const legacy = note(
      25_100,
      `fault kill-two (kill on redis:replicas) was not injected as planned: ${refused}`,
    );
    const [d] = deviations([...clean, legacy], [pause, second]);
    expect(d).toMatchObject({ code: 'selector-matched-nothing', faultId: 'kill-two' });
    expect(d?.detail).toContain(refused);
    const noTargets = [faultStart(10_000, 'pause-edge', 'pause', []), faultStop(10_010, 'pause-edge')];
    expect(codes(noTargets)).toEqual(['pause-edge selector-matched-nothing']);
  });

  it('a fault whose apply step failed (the runner undid it at once) was not injected', () => {
    const history = [
      faultStart(10_000, 'pause-edge', 'pause', edge),
      step(10_010, 'pause-edge', 'apply', 1),
      step(10_020, 'pause-edge', 'recover', 0, 'resume haproxy'),
      faultStop(10_030, 'pause-edge'),
      faultError(10_040, 'pause-edge', 'inject', ['fault-step-failed'], "'pause haproxy' exited 1"),
    ];
    expect(codes(history)).toEqual(['pause-edge fault-step-failed']);
    expect(deviations(history)[0]?.detail).toBe(
      "fault pause-edge (pause on haproxy) was not applied: 'pause haproxy' exited 1",
    );
  });

  it('a fault not healed: no fault-stop, an undo that failed for good, or a heal error', () => {
    expect(codes(clean.slice(0, 3))).toEqual(['pause-edge fault-not-healed']);
    const failedUndo = [...clean.slice(0, 2), step(15_010, 'pause-edge', 'recover', 1, 'resume haproxy')];
    expect(codes([...failedUndo, faultStop(15_020, 'pause-edge')])).toEqual(['pause-edge fault-not-healed']);
    // healAll retried the undo and it succeeded: healed after all.
    const retried = [
      ...failedUndo,
      faultStop(15_020, 'pause-edge'),
      step(16_000, 'pause-edge', 'recover', 0, 'resume haproxy'),
    ];
    expect(codes(retried)).toEqual([]);
    const healError = [...clean, faultError(15_030, 'pause-edge', 'heal', ['heal-unresolved'], 'no rule id')];
    expect(deviations(healError)[0]).toMatchObject({ code: 'fault-not-healed' });
    expect(deviations(healError)[0]?.detail).toContain('no rule id');
  });

  it('a fault applied more than a second after its planned time, or healed more than a second early', () => {
    const late = [
      faultStart(13_800, 'pause-edge', 'pause', edge),
      step(13_830, 'pause-edge', 'apply', 0),
      step(18_830, 'pause-edge', 'recover', 0, 'resume haproxy'),
      faultStop(18_840, 'pause-edge'),
    ];
    expect(codes(late)).toEqual(['pause-edge fault-late']);
    expect(deviations(late)[0]?.detail).toBe(
      'fault pause-edge (pause on haproxy) started at 13.8 s, 3.8 s after its planned 10 s',
    );
    const onTime = late.map((e) => ({ ...e, t: e.t - 3_000 }));
    expect(codes(onTime)).toEqual([]);
    const short = [
      ...clean.slice(0, 2),
      step(12_000, 'pause-edge', 'recover', 0),
      faultStop(12_010, 'pause-edge'),
    ];
    expect(codes(short)).toEqual(['pause-edge fault-short']);
  });

  it('without a history nothing shows the faults happened', () => {
    expect(codes(null)).toEqual(['pause-edge fault-unverified']);
  });
});

describe('judge: a run that is not what was planned is unknown, never pass', () => {
  const base = phases(
    [
      ['baseline', 0],
      ['fault', 10],
      ['recovery', 15],
      ['after', 30],
    ],
    40,
  );
  const metrics = secs(0, 40, (s) => win(s, 100, 0, { intendedRate: 100 }));
  const errOk = row({ metric: 'error-rate', id: 'err.ok', objective: { op: '<=', value: 5 }, unit: '%' });
  const run = (history: HistoryEvent[], faults: PlannedFault[]) =>
    runData({ plan: plan({ faults }), history: [...base, ...history].sort((a, b) => a.t - b.t), metrics });

  it('a platform not steady before time zero cannot pass, but what failed still fails', () => {
    const steady = (reached: boolean): HistoryEvent => ({
      kind: 'steady-state',
      t: 0,
      wall: wall(0),
      reached,
      waitedMs: reached ? 4000 : 60_000,
      detail: reached
        ? 'steady after 4.0 s: …'
        : 'not steady after 60.0 s (…): stream-normalizer 13.0 s (875 records)',
    });
    expect(judge(run([steady(true), ...clean], [pause]), [errOk], { now: 'T' }).verdict).toBe('pass');
    const lagging = judge(run([steady(false), ...clean], [pause]), [errOk], { now: 'T' });
    expect(lagging.verdict).toBe('unknown');
    expect(lagging.slos.find((s) => s.id === 'windshear.steady-before-t0')?.detail).toBe(
      'the platform was not steady after 60.0 s (…): stream-normalizer 13.0 s (875 records) before time zero: the run cannot pass',
    );
    const errBad = row({
      metric: 'error-rate',
      id: 'err.bad',
      objective: { op: '<=', value: -1 },
      unit: '%',
    });
    expect(judge(run([steady(false), ...clean], [pause]), [errBad], { now: 'T' }).verdict).toBe('fail');
  });

  it('passes when both faults ran as planned', () => {
    const both = [
      ...clean,
      faultStart(25_000, 'kill-two', 'kill', [{ name: 'search-api-a2', az: 'az-a' }]),
      faultStop(30_000, 'kill-two'),
    ];
    expect(judge(run(both, [pause, second]), [errOk], { now: 'T' }).verdict).toBe('pass');
  });

  it('a second fault not injected: every row passes, the run is unknown (exit 2) and says why', () => {
    const refused = faultError(
      25_100,
      'kill-two',
      'inject',
      ['target-outside-topology'],
      "'search-api-a2' is not a component of the topology windshear brought up",
    );
    const res = judge(run([...clean, refused], [pause, second]), [errOk], { now: 'T' });
    expect(res.slos.find((s) => s.id === 'err.ok')?.verdict).toBe('pass');
    expect(res.verdict).toBe('unknown');
    expect(EXIT[outcomeOf(res)]).toBe(2);
    const why = res.slos.find((s) => s.id === 'windshear.run-as-planned');
    expect(why).toMatchObject({ verdict: 'unknown', measured: 1, unit: 'count' });
    expect(why?.detail).toContain('[fault-not-injected] fault kill-two (kill on name:search-api-a2)');
    expect(why?.detail).toContain('is not a component of the topology');
  });

  it('wins over a failing row, and names every reason', () => {
    const errBad = row({ metric: 'error-rate', id: 'err.bad', objective: { op: '<', value: 0 }, unit: '%' });
    const res = judge(run(clean.slice(0, 3), [pause, second]), [errBad], { now: 'T' });
    expect(res.verdict).toBe('unknown');
    const evidence = res.slos.find((s) => s.id === 'windshear.run-as-planned')?.evidence as
      | { deviations: { code: string }[] }
      | undefined;
    expect(evidence?.deviations.map((d) => d.code)).toEqual(['fault-not-healed', 'fault-not-injected']);
  });

  it('a negative control that did not run as planned is unknown, not caught nor missed', () => {
    const res = judge(
      runData({ plan: plan({ faults: [pause], negativeControl: true }), history: base, metrics }),
      [errOk],
      {
        now: 'T',
      },
    );
    expect(res.verdict).toBe('unknown');
    expect(outcomeOf(res)).toBe('unknown');
    expect(outcomeOf({ verdict: 'fail', negativeControl: true })).toBe('pass');
    expect(outcomeOf({ verdict: 'pass', negativeControl: true })).toBe('fail');
  });

  it('an invalid generator makes the run unknown with its reason', () => {
    const dropped = secs(0, 40, (s) =>
      win(s, 100, 0, { intendedRate: 100, droppedIterations: s === 12 ? 7 : 0 }),
    );
    const res = judge(
      runData({ plan: plan({ faults: [pause] }), history: [...base, ...clean], metrics: dropped }),
      [errOk],
      {
        now: 'T',
      },
    );
    expect(res.verdict).toBe('unknown');
    expect(res.slos.find((s) => s.id === 'windshear.load-valid')?.detail).toContain(
      'the engine did not send 7 intended arrivals',
    );
  });
});
