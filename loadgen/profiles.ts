import { badInput } from '../lib/errors.ts';
import {
  DEFAULT_TIMEOUT_SEC,
  type FlowName,
  type FlowPlan,
  flowLengthSec,
  intendedInSecond,
  type LoadPlan,
} from './load-plan.ts';

/**
 * Load profiles: named presets expressed as k6 scenarios in k6's own vocabulary (open-model
 * arrival-rate executors, stages, preAllocatedVUs/maxVUs). Rates are requests/s; every k6
 * iteration of the traffic script issues exactly one HTTP request, so iterations/s = requests/s.
 */

export type Preset = 'baseline' | 'peak' | 'holiday-surge' | 'soak' | 'capacity-step';
export const PRESETS: readonly Preset[] = ['baseline', 'peak', 'holiday-surge', 'soak', 'capacity-step'];

export type LoadSpec = {
  preset: Preset;
  durationSec: number;
  /** Headline rate in requests/s before `scale`; overrides the preset's default. */
  rate?: number;
  /** capacity-step only: arrival rate (requests/s before `scale`) held for `durationSec` each. */
  steps?: { rate: number; durationSec: number }[];
  /**
   * Only these flows, the whole rate split among them by their TRAFFIC_MIX shares (default every
   * flow). Calibration drives search alone, so the ingress backlog after a pause is cheap to
   * work off and the measured outage is the pause.
   */
  flows?: FlowName[];
};

/** Seed 004, "API Requests per Second (Peak)": 5,000. */
export const SEED_PEAK_RPS = 5000;
/** Seed 000, Kafka row: "10,000 msg/s supplier feed" (sized against the same peak). */
export const SEED_FEED_MSG_PER_SEC = 10_000;
/** Baseline and soak run at a fifth of peak (an ordinary hour; the seeds give no off-peak rate). */
export const BASELINE_FRACTION = 0.2;
/** holiday-surge spikes to twice peak: seed 000 sizes for "100 % headroom for peak". */
export const SURGE_FACTOR = 2;

/** k6 exec functions exported by loadgen/k6/traffic.ts. */
export type ExecName = 'search' | 'price' | 'reservationFlow' | 'bookingFlow';
/** Value of the `endpoint` tag on every request. */
export type Endpoint = 'search' | 'price' | 'reserve' | 'reservation-get' | 'book';
export const ENDPOINTS: readonly Endpoint[] = ['search', 'price', 'reserve', 'reservation-get', 'book'];

/**
 * Traffic mix, as shares of the arrival rate. Seed 004: 10 M searches vs 100 k bookings a day
 * (booking ≈ 1 % of search); price look-ups follow a share of searches; the reservation flow
 * (POST a reservation, later GET it back) sits between them.
 */
export const TRAFFIC_MIX: readonly { scenario: FlowName; exec: ExecName; share: number }[] = [
  { scenario: 'search', exec: 'search', share: 0.8 },
  { scenario: 'price', exec: 'price', share: 0.15 },
  { scenario: 'reservation', exec: 'reservationFlow', share: 0.04 },
  { scenario: 'booking', exec: 'bookingFlow', share: 0.01 },
];

export type K6Stage = { target: number; duration: string };

type ScenarioBase = {
  exec: ExecName;
  timeUnit: '1s';
  preAllocatedVUs: number;
  maxVUs: number;
  gracefulStop: string;
  tags: Record<string, string>;
};
export type ConstantArrivalRate = ScenarioBase & {
  executor: 'constant-arrival-rate';
  /** Iterations (= requests) per timeUnit. */
  rate: number;
  duration: string;
};
export type RampingArrivalRate = ScenarioBase & {
  executor: 'ramping-arrival-rate';
  startRate: number;
  /** k6 ramps linearly from the previous target to `target` over `duration`. */
  stages: K6Stage[];
};
export type K6Scenario = ConstantArrivalRate | RampingArrivalRate;

/** The k6 config file the harness passes with `--config` (scripts export no `options`). */
export type K6Options = {
  scenarios: Record<string, K6Scenario>;
  discardResponseBodies: boolean;
  /** Keeps the NDJSON stream small: no `url`/`name` tags (ids make them high-cardinality). */
  systemTags: string[];
  summaryTrendStats: string[];
  /**
   * Always-true thresholds on `{endpoint:X}` submetrics: they only make k6's own summary report
   * per-endpoint counts and percentiles, which the parser is checked against.
   */
  thresholds: Record<string, string[]>;
};

/**
 * VUs k6 may need = rate × iteration time (Little's law). Preallocated for a healthy 100 ms;
 * allowed up to MAX_LATENCY_SEC: an iteration makes at most two requests (reservation flow: read
 * one back, reserve one), each up to k6/traffic.ts's 10 s timeout, plus margin. So a system that
 * hangs every request during a fault makes k6 add VUs, not drop iterations: dropped iterations
 * then mean the load generator itself could not keep up, which makes a run invalid
 * (architecture.md). MAX_VUS bounds k6's memory where a capacity step drives thousands of req/s;
 * there dropped iterations mark the step as failed, as they should.
 */
const PREALLOC_LATENCY_SEC = 0.1;
const MAX_LATENCY_SEC = 25;
const MAX_VUS = 4000;
const PREALLOC_ALL = 250;

/** A piecewise-linear rate plan in requests/s at scale: the preset before it is split by the mix. */
type RatePlan =
  | { kind: 'constant'; rate: number; durationSec: number }
  | { kind: 'ramping'; startRate: number; stages: { target: number; durationSec: number }[] };

function checkSpec(spec: LoadSpec, scale: number): void {
  const problems: string[] = [];
  if (!PRESETS.includes(spec.preset)) problems.push(`unknown preset "${spec.preset}"`);
  if (!(Number.isFinite(spec.durationSec) && spec.durationSec > 0))
    problems.push(`durationSec must be > 0, got ${spec.durationSec}`);
  if (!(Number.isFinite(scale) && scale > 0)) problems.push(`scale must be > 0, got ${scale}`);
  if (spec.rate !== undefined && !(Number.isFinite(spec.rate) && spec.rate > 0))
    problems.push(`rate must be > 0, got ${spec.rate}`);
  if (spec.preset === 'holiday-surge' && spec.durationSec < 10)
    problems.push('holiday-surge needs durationSec >= 10 to shape its spike');
  for (const [i, s] of (spec.steps ?? []).entries()) {
    if (!(Number.isFinite(s.durationSec) && s.durationSec > 0))
      problems.push(`steps[${i}].durationSec must be > 0`);
    if (!(Number.isFinite(s.rate) && s.rate >= 0)) problems.push(`steps[${i}].rate must be >= 0`);
  }
  const known = TRAFFIC_MIX.map((m) => m.scenario);
  for (const f of spec.flows ?? [])
    if (!known.includes(f)) problems.push(`unknown flow "${f}" (flows: ${known.join(', ')})`);
  if (spec.flows?.length === 0) problems.push('flows must name at least one flow');
  if (problems.length > 0)
    throw badInput(
      'load-profile',
      `invalid load profile: ${problems.join('; ')}`,
      `use one of ${PRESETS.join(', ')} with a positive duration and scale`,
    );
}

/** Seconds rounded to ms (k6 reads `7.5s`). */
const ms = (sec: number) => Math.round(sec * 1000) / 1000;

/** Parts of `total` seconds in the given proportions (ms precision), summing to `total`. */
function splitSeconds(total: number, fractions: number[]): number[] {
  const parts = fractions.map((f) => ms(total * f));
  const rest = ms(total - parts.reduce((a, b) => a + b, 0));
  parts[parts.length - 1] = ms((parts[parts.length - 1] ?? 0) + rest);
  return parts;
}

function ratePlan(spec: LoadSpec, scale: number): RatePlan {
  const d = spec.durationSec;
  switch (spec.preset) {
    case 'baseline':
    case 'soak':
      return {
        kind: 'constant',
        rate: (spec.rate ?? SEED_PEAK_RPS * BASELINE_FRACTION) * scale,
        durationSec: d,
      };
    case 'peak':
      return { kind: 'constant', rate: (spec.rate ?? SEED_PEAK_RPS) * scale, durationSec: d };
    case 'holiday-surge': {
      // hold peak, ramp to SURGE_FACTOR × peak, hold the spike, ramp down, hold peak.
      const base = (spec.rate ?? SEED_PEAK_RPS) * scale;
      const top = base * SURGE_FACTOR;
      const [hold, up, spike, down, after] = splitSeconds(d, [0.2, 0.1, 0.3, 0.1, 0.3]) as [
        number,
        number,
        number,
        number,
        number,
      ];
      return {
        kind: 'ramping',
        startRate: base,
        stages: [
          { target: base, durationSec: hold },
          { target: top, durationSec: up },
          { target: top, durationSec: spike },
          { target: base, durationSec: down },
          { target: base, durationSec: after },
        ],
      };
    }
    case 'capacity-step': {
      const steps =
        spec.steps && spec.steps.length > 0
          ? spec.steps
          : defaultSteps(spec.rate ?? SEED_PEAK_RPS, spec.durationSec);
      // Each step: move to its rate within 1 s, then hold (k6 interpolates within a stage).
      const stages: { target: number; durationSec: number }[] = [];
      for (const s of steps) {
        const move = Math.min(1, s.durationSec);
        stages.push({ target: s.rate * scale, durationSec: ms(move) });
        if (s.durationSec > move)
          stages.push({ target: s.rate * scale, durationSec: ms(s.durationSec - move) });
      }
      return { kind: 'ramping', startRate: (steps[0]?.rate ?? 0) * scale, stages };
    }
  }
}

/** Six equal steps from 25 % to 150 % of `rate`, filling `durationSec`. */
function defaultSteps(rate: number, durationSec: number): { rate: number; durationSec: number }[] {
  const levels = [0.25, 0.5, 0.75, 1, 1.25, 1.5];
  const n = Math.max(1, Math.min(levels.length, Math.floor(durationSec)));
  const secs = splitSeconds(
    durationSec,
    Array.from({ length: n }, () => 1 / n),
  );
  return secs.map((s, i) => ({ rate: rate * (levels[i] ?? 1), durationSec: s }));
}

/** Total duration of the scenario schedule in seconds (without gracefulStop). */
export function scheduleSec(spec: LoadSpec): number {
  if (spec.preset === 'capacity-step' && spec.steps && spec.steps.length > 0)
    return spec.steps.reduce((a, s) => a + s.durationSec, 0);
  return spec.durationSec;
}

/** Requests/s of one mix share; a share that rounds to 0 keeps 1/s so every flow runs. */
function shareOf(total: number, share: number): number {
  if (total <= 0) return 0;
  return Math.max(1, Math.round(total * share));
}

function vusFor(peakRate: number): { preAllocatedVUs: number; maxVUs: number } {
  const maxVUs = Math.max(10, Math.min(MAX_VUS, Math.ceil(peakRate * MAX_LATENCY_SEC)));
  // Up to PREALLOC_ALL VUs are all made before the start: k6 adds VUs mid-run one at a time, too
  // slowly on a busy machine when every request of an outage hangs (it then drops iterations).
  const preAllocatedVUs = Math.min(
    maxVUs,
    Math.max(5, Math.ceil(peakRate * PREALLOC_LATENCY_SEC), PREALLOC_ALL),
  );
  return { preAllocatedVUs, maxVUs };
}

/** The load plan of a profile: the preset's requests/s × `scale`, split by TRAFFIC_MIX into flows. */
export function loadPlanFor(
  spec: LoadSpec,
  scale: number,
  opts: { seed?: number; timeoutSec?: number } = {},
): LoadPlan {
  checkSpec(spec, scale);
  const plan = ratePlan(spec, scale);
  const only = spec.flows ? new Set<FlowName>(spec.flows) : null;
  const chosen = only ? TRAFFIC_MIX.filter((m) => only.has(m.scenario)) : TRAFFIC_MIX;
  const total = chosen.reduce((n, m) => n + m.share, 0);
  const mix = chosen.map((m) => ({ ...m, share: m.share / total }));
  const flows: FlowPlan[] = mix.map((m) =>
    plan.kind === 'constant'
      ? {
          name: m.scenario,
          startRate: shareOf(plan.rate, m.share),
          stages: [{ target: shareOf(plan.rate, m.share), durationSec: ms(plan.durationSec) }],
        }
      : {
          name: m.scenario,
          startRate: shareOf(plan.startRate, m.share),
          stages: plan.stages.map((st) => ({
            target: shareOf(st.target, m.share),
            durationSec: st.durationSec,
          })),
        },
  );
  return { flows, timeoutSec: opts.timeoutSec ?? DEFAULT_TIMEOUT_SEC, seed: opts.seed ?? 1 };
}

const EXEC_OF: Record<FlowName, ExecName> = {
  search: 'search',
  price: 'price',
  reservation: 'reservationFlow',
  booking: 'bookingFlow',
};

/** k6's rendering of a load plan (for users who bring k6): one arrival-rate scenario per flow. */
export function k6ConfigFor(plan: LoadPlan): K6Options {
  const scenarios: Record<string, K6Scenario> = {};
  for (const f of plan.flows) {
    const base = {
      exec: EXEC_OF[f.name],
      timeUnit: '1s' as const,
      gracefulStop: '5s',
      tags: { flow: f.name },
    };
    const constant = f.stages.every((st) => st.target === f.startRate);
    if (constant) {
      scenarios[f.name] = {
        ...base,
        ...vusFor(f.startRate),
        executor: 'constant-arrival-rate',
        rate: f.startRate,
        duration: `${ms(flowLengthSec(f))}s`,
      };
    } else {
      const top = Math.max(f.startRate, ...f.stages.map((st) => st.target));
      scenarios[f.name] = {
        ...base,
        ...vusFor(top),
        executor: 'ramping-arrival-rate',
        startRate: f.startRate,
        stages: f.stages.map((st) => ({ target: st.target, duration: `${st.durationSec}s` })),
      };
    }
  }
  return {
    scenarios,
    discardResponseBodies: true,
    systemTags: ['status', 'method', 'scenario', 'expected_response', 'error_code'],
    summaryTrendStats: ['count', 'min', 'med', 'avg', 'p(95)', 'p(99)', 'max'],
    thresholds: perEndpointThresholds(),
  };
}

/** k6 config for a profile (k6ConfigFor of loadPlanFor). */
export function k6OptionsFor(spec: LoadSpec, scale: number): K6Options {
  return k6ConfigFor(loadPlanFor(spec, scale));
}

function perEndpointThresholds(): Record<string, string[]> {
  const t: Record<string, string[]> = {};
  for (const e of ENDPOINTS) {
    t[`http_req_duration{endpoint:${e}}`] = ['max>=0'];
    t[`http_reqs{endpoint:${e}}`] = ['count>=0'];
  }
  return t;
}

/** Parses k6 durations this module writes (`30s`, `2m`, `1h`, `1m30s`) to seconds. */
export function parseK6Duration(d: string): number {
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let m: RegExpExecArray | null = re.exec(d);
  if (m === null) throw badInput('k6-duration', `cannot read k6 duration "${d}"`);
  while (m !== null) {
    const n = Number(m[1]);
    total += m[2] === 'ms' ? n / 1000 : m[2] === 's' ? n : m[2] === 'm' ? n * 60 : n * 3600;
    m = re.exec(d);
  }
  return total;
}

/**
 * Supplier feed rate (messages/s) the ingest instances should produce together: seed 000's
 * 10,000 msg/s pairs with seed 004's 5,000 requests/s, so the feed is 2 messages per request of
 * the profile's headline rate (the spike of holiday-surge, the top step of capacity-step).
 */
export function supplierFeedRate(spec: LoadSpec, scale: number): number {
  checkSpec(spec, scale);
  const plan = ratePlan(spec, scale);
  const headline =
    plan.kind === 'constant' ? plan.rate : Math.max(plan.startRate, ...plan.stages.map((s) => s.target));
  return Math.round(headline * (SEED_FEED_MSG_PER_SEC / SEED_PEAK_RPS));
}

/** One-line description for reports; always states the scale. */
export function describeProfile(spec: LoadSpec, scale: number): string {
  const loadPlan = loadPlanFor(spec, scale);
  const plan = ratePlan(spec, scale);
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  const shape =
    plan.kind === 'constant'
      ? `constant-arrival-rate ${fmt(intendedInSecond(loadPlan, 0))} req/s for ${spec.durationSec}s`
      : `ramping-arrival-rate ${plan.stages
          .filter((s, i, a) => i === 0 || s.target !== a[i - 1]?.target)
          .map((s) => fmt(s.target))
          .join(' → ')} req/s over ${scheduleSec(spec)}s`;
  const mix = TRAFFIC_MIX.map((m) => `${m.scenario} ${Math.round(m.share * 100)} %`).join(', ');
  const origin =
    spec.rate !== undefined
      ? `headline ${fmt(spec.rate)} req/s × scale ${scale}`
      : `seed 004 peak ${fmt(SEED_PEAK_RPS)} req/s × scale ${scale}`;
  return `${spec.preset}: ${shape} (${origin}); mix ${mix}; supplier feed ${fmt(supplierFeedRate(spec, scale))} msg/s`;
}
