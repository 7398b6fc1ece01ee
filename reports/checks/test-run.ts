import type {
  HistoryEvent,
  LatencyWindow,
  Phase,
  ProbeData,
  ProbeName,
  RunPlan,
  SloVerdict,
  TargetRef,
} from '../../lib/run-format.ts';
import type { LatencyBound, SloRow } from '../../lib/slo.ts';
import { encodeLatenciesUs } from './hdr.ts';
import { judge } from './judge.ts';
import type { RunData } from './load-run.ts';

// Builders for hand-made runs in the checkers' tests. Times: `t` in run ms, `sec` in run seconds.

export function plan(over: Partial<RunPlan> = {}): RunPlan {
  return {
    scenario: 'test',
    profile: 'baseline',
    scale: 1,
    seed: 1,
    phases: [],
    faults: [],
    k6: {},
    ledger: { reservationsPerSec: 1, fareUpdatesPerSec: 1 },
    supplierFeedPerSec: 1,
    durationSec: 60,
    ...over,
  };
}

export function runData(over: Partial<RunData> = {}): RunData {
  return {
    runDir: '/nonexistent/run',
    plan: plan(),
    scenario: null,
    environment: null,
    history: [],
    metrics: [],
    ledger: null,
    readback: null,
    warnings: [],
    ...over,
  };
}

const wall = (t: number) => new Date(Date.UTC(2025, 0, 1) + t).toISOString();

export const phase = (t: number, p: Phase): HistoryEvent => ({ kind: 'phase', t, wall: wall(t), phase: p });

/** Phase events from `[phase, atSec]` pairs plus a completed run-end at `endSec`. */
export function phases(list: [Phase, number][], endSec: number): HistoryEvent[] {
  return [
    ...list.map(([p, s]) => phase(s * 1000, p)),
    { kind: 'run-end', t: endSec * 1000, wall: wall(endSec * 1000), status: 'completed' },
  ];
}

export function faultStart(
  t: number,
  faultId: string,
  fault: string,
  targets: TargetRef[] = [],
): HistoryEvent {
  return { kind: 'fault-start', t, wall: wall(t), faultId, fault, selector: 'test', targets };
}

export const faultStop = (t: number, faultId: string): HistoryEvent => ({
  kind: 'fault-stop',
  t,
  wall: wall(t),
  faultId,
});

export function sample(t: number, probe: ProbeName, data: ProbeData, ok = true): HistoryEvent {
  return { kind: 'sample', t, wall: wall(t), probe, ok, data };
}

/** One second of one tag; `latencyMs` values are recorded once each (empty: `count` × 1 ms). */
export function win(
  sec: number,
  count: number,
  errors = 0,
  opts: { tag?: string; latencyMs?: number[]; intendedRate?: number; droppedIterations?: number } = {},
): LatencyWindow {
  const lat = opts.latencyMs ?? Array.from({ length: count }, () => 1);
  return {
    sec,
    tag: opts.tag ?? '*',
    count,
    errors,
    hdr: encodeLatenciesUs(lat.map((ms) => ms * 1000)),
    ...(opts.intendedRate !== undefined ? { intendedRate: opts.intendedRate } : {}),
    ...(opts.droppedIterations !== undefined ? { droppedIterations: opts.droppedIterations } : {}),
  };
}

/** Windows for seconds [from, to) built by `f`. */
export function secs(from: number, to: number, f: (sec: number) => LatencyWindow): LatencyWindow[] {
  return Array.from({ length: to - from }, (_, i) => f(from + i));
}

export function row(over: Partial<SloRow> & Pick<SloRow, 'metric'>): SloRow {
  return {
    id: `test.${over.metric}`,
    title: over.metric,
    objective: { op: '<=', value: 1 },
    unit: 'count',
    window: 'run',
    source: { seed: '000_7ae5c9fc6e99809f.txt', table: 'test', row: 'test' },
    ...over,
  };
}

/** Judges one row (with `others` in the table) and returns its verdict. */
export function judgeOne(
  run: RunData,
  r: SloRow,
  others: SloRow[] = [],
  scale?: number,
  bounds: LatencyBound[] = [],
): SloVerdict {
  const res = judge(run, [r, ...others], { now: 'T', bounds, ...(scale !== undefined ? { scale } : {}) });
  const v = res.slos.find((s) => s.id === r.id);
  if (!v) throw new Error(`no verdict for ${r.id}`);
  return v;
}
