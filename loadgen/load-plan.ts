import { EXIT, type Problem, WindshearError } from '../lib/errors.ts';

/**
 * A load plan: what any engine is asked to do, as plain data. Open model: each flow's arrivals
 * follow its own piecewise-linear rate (requests/s), whatever the target answers; an engine
 * records every request with its intended start (loadgen/request-record.ts).
 */

/** User journeys (loadgen/profiles.ts TRAFFIC_MIX); each request is tagged with its endpoint. */
export const FLOWS = ['search', 'price', 'reservation', 'booking'] as const;
export type FlowName = (typeof FLOWS)[number];

export interface RateStage {
  /** Rate reached at the end of the stage (requests/s), ramped linearly from the previous one. */
  target: number;
  durationSec: number;
}

export interface FlowPlan {
  name: FlowName;
  /** Rate at the start of the first stage (requests/s). */
  startRate: number;
  stages: RateStage[];
}

export interface LoadPlan {
  flows: FlowPlan[];
  /** Per-request timeout (s): a request that has no answer by then is an error. */
  timeoutSec: number;
  /** Seeds the engine's choices (routes, flights), so a run can be repeated. */
  seed: number;
}

/** Default per-request timeout (s). */
export const DEFAULT_TIMEOUT_SEC = 10;

/** Arrivals of one flow due in [0, t) seconds: the integral of its rate. */
export function flowArrivalsBefore(f: FlowPlan, t: number): number {
  let start = 0;
  let rate = f.startRate;
  let n = 0;
  for (const s of f.stages) {
    const d = s.durationSec;
    const slope = d > 0 ? (s.target - rate) / d : 0;
    const tau = Math.min(Math.max(t - start, 0), d);
    n += rate * tau + (slope * tau * tau) / 2;
    start += d;
    rate = s.target;
    if (t <= start) break;
  }
  return n;
}

/** Rate of one flow at `t` seconds (requests/s); 0 outside its schedule. */
export function flowRateAt(f: FlowPlan, t: number): number {
  let start = 0;
  let rate = f.startRate;
  for (const s of f.stages) {
    if (t >= start && t < start + s.durationSec)
      return rate + ((s.target - rate) * (t - start)) / s.durationSec;
    start += s.durationSec;
    rate = s.target;
  }
  return 0;
}

export function flowLengthSec(f: FlowPlan): number {
  return f.stages.reduce((a, s) => a + s.durationSec, 0);
}

/** Length of the whole plan (s): its longest flow. */
export function planLengthSec(plan: LoadPlan): number {
  return Math.max(0, ...plan.flows.map(flowLengthSec));
}

/** A flow's rate as breakpoints (time s, rate): linear between them; a zero-length stage steps. */
function breakpoints(f: FlowPlan): [number, number][] {
  const out: [number, number][] = [[0, f.startRate]];
  let t = 0;
  for (const s of f.stages) {
    t += s.durationSec;
    out.push([t, s.target]);
  }
  return out;
}

/** A flow's highest rate at time `t` (at a step, the higher side). */
function flowRateNear(f: FlowPlan, t: number): number {
  const at = breakpoints(f).filter(([bt]) => bt === t);
  return at.length > 0 && t <= flowLengthSec(f) ? Math.max(...at.map(([, r]) => r)) : flowRateAt(f, t);
}

/** Highest total rate anywhere in the plan (requests/s): the sum is piecewise linear, so at a breakpoint. */
export function peakRate(plan: LoadPlan): number {
  const times = new Set(plan.flows.flatMap((f) => breakpoints(f).map(([t]) => t)));
  return Math.max(0, ...[...times].map((t) => plan.flows.reduce((a, f) => a + flowRateNear(f, t), 0)));
}

/** Requests the plan asks for in [t0, t1) seconds of its schedule, all flows, exactly. */
export function intendedBetween(plan: LoadPlan, t0: number, t1: number): number {
  return plan.flows.reduce((a, f) => a + flowArrivalsBefore(f, t1) - flowArrivalsBefore(f, t0), 0);
}

/**
 * Arrivals due in [t0, t1) of the schedule, counted as an engine sends them: arrival k of a flow is
 * due when its integral reaches k, so ceil(N(x)) are due before x. Per second this differs from
 * intendedBetween by the fraction of an arrival; summed over the plan it equals intendedTotal.
 */
export function arrivalsBetween(plan: LoadPlan, t0: number, t1: number): number {
  const due = (f: FlowPlan, x: number) =>
    x <= 0 ? 0 : Math.ceil(flowArrivalsBefore(f, Math.min(x, flowLengthSec(f))) - 1e-9);
  return plan.flows.reduce((a, f) => a + due(f, t1) - due(f, t0), 0);
}

/** Requests the plan asks for in schedule second `sec` ([sec, sec + 1)). */
export function intendedInSecond(plan: LoadPlan, sec: number): number {
  return intendedBetween(plan, sec, sec + 1);
}

/** Requests the plan asks for in all. */
export function intendedTotal(plan: LoadPlan): number {
  return plan.flows.reduce((a, f) => a + Math.ceil(flowArrivalsBefore(f, flowLengthSec(f)) - 1e-9), 0);
}

/** What an engine can honour: its measured ceiling on this kind of machine. */
export interface EngineLimits {
  engine: string;
  /** Highest total arrival rate the engine starts on time (requests/s). */
  maxRate: number;
}

/** Everything wrong with a plan for an engine, at once (empty when it can run). */
export function planProblems(plan: LoadPlan, limits: EngineLimits): Problem[] {
  const problems: Problem[] = [];
  const add = (path: string, message: string, fix: string) =>
    problems.push({ code: 'load-plan', path, message, fix });
  if (plan.flows.length === 0)
    add('flows', 'the plan has no flows', `give at least one of ${FLOWS.join(', ')}`);
  for (const [i, f] of plan.flows.entries()) {
    if (!FLOWS.includes(f.name))
      add(`flows[${i}].name`, `unknown endpoint flow "${f.name}"`, `use one of ${FLOWS.join(', ')}`);
    if (!(f.startRate >= 0)) add(`flows[${i}].startRate`, 'must be >= 0', 'give a rate in requests/s');
    for (const [j, s] of f.stages.entries())
      if (!(s.target >= 0 && s.durationSec >= 0 && Number.isFinite(s.target + s.durationSec)))
        add(`flows[${i}].stages[${j}]`, 'target and durationSec must be finite and >= 0', 'fix the stage');
  }
  if (plan.flows.length > 0 && !(planLengthSec(plan) > 0))
    add('duration', 'the plan has zero duration', 'give a duration > 0 (e.g. --duration 30s)');
  if (!(plan.timeoutSec > 0))
    add('timeoutSec', 'the request timeout must be > 0', 'give a timeout in seconds');
  const peak = peakRate(plan);
  if (peak > limits.maxRate)
    add(
      'rate',
      `peak rate ${Math.round(peak)} req/s is above what ${limits.engine} starts on time on this machine (${limits.maxRate} req/s, measured by npm run bench:loadgen)`,
      `lower --rate or --scale to at most ${limits.maxRate} req/s in all, or spread the load over more machines`,
    );
  return problems;
}

/** Throws every problem at once (exit 254) before anything starts. */
export function assertPlan(plan: LoadPlan, limits: EngineLimits): void {
  const problems = planProblems(plan, limits);
  if (problems.length > 0) throw new WindshearError(problems, EXIT.badInput);
}

/**
 * Where a flow's unsent arrivals were due: the engine sent arrivals 0 … sent-1 (in schedule
 * order), so arrivals sent … end were not sent. Arrival k is due when the integral reaches k, so
 * ceil(N(x)) arrivals are due before x. Returns [schedule second, count] pairs.
 */
export function unsentBySecond(f: FlowPlan, sent: number): [number, number][] {
  const out: [number, number][] = [];
  const len = flowLengthSec(f);
  const due = (x: number) => Math.ceil(flowArrivalsBefore(f, Math.min(x, len)) - 1e-9);
  for (let s = 0; s < Math.ceil(len); s++) {
    const n = due(s + 1) - Math.max(due(s), sent);
    if (n > 0) out.push([s, n]);
  }
  return out;
}
