import type {
  ConsumerLagSample,
  FreshnessSample,
  HaproxySample,
  KafkaSample,
  OpensearchSample,
  PostgresSample,
  ProbeName,
  RedisSample,
  RunMs,
  ServiceMetricsSample,
  Verdict,
} from '../../lib/run-format.ts';
import type { SloRow } from '../../lib/slo.ts';
import type { SliBounds } from './good-requests.ts';
import type { RunData } from './load-run.ts';

/** What a checker hands the judge: the judge turns it into an SloVerdict. */
export interface Measurement {
  /** In the row's unit; null when it could not be measured (the verdict is then `unknown`). */
  measured: number | null;
  /** One sentence: what was measured over which window, or why it is unknown. */
  detail: string;
  evidence?: unknown;
  /** Overrides the comparison with the objective (e.g. a lower bound that cannot decide). */
  verdict?: Verdict;
}

export interface CheckContext {
  /**
   * Every row being judged, objectives already scaled, for checkers whose definition refers to
   * other rows (RTO SLI, capacity steps, lag objectives). The row passed to a checker is scaled too.
   */
  rows: readonly SloRow[];
  /** Multiplier the judge applied to `scaled` objectives. */
  scale: number;
  /** The SLI's latency bound per endpoint (good = succeeded within it). */
  bounds: SliBounds;
}

/** A pure function from a loaded run to a measurement; it may throw (the judge answers unknown). */
export type Checker = (run: RunData, row: SloRow, ctx: CheckContext) => Measurement;

export type Objective = SloRow['objective'];

export function within(measured: number, objective: Objective): boolean {
  switch (objective.op) {
    case '<':
      return measured < objective.value;
    case '<=':
      return measured <= objective.value;
    case '>':
      return measured > objective.value;
    case '>=':
      return measured >= objective.value;
  }
}

/** Distance to the objective, positive when inside it. */
export function marginOf(measured: number, objective: Objective): number {
  return objective.op === '<' || objective.op === '<='
    ? objective.value - measured
    : measured - objective.value;
}

export function unknown(detail: string, evidence?: unknown): Measurement {
  return { measured: null, detail, ...(evidence === undefined ? {} : { evidence }), verdict: 'unknown' };
}

/** Milliseconds expressed in a time unit (`ms`, `s`, `us`); throws on any other unit. */
export function msIn(ms: number, unit: string): number {
  if (unit === 'ms') return ms;
  if (unit === 's') return ms / 1000;
  if (unit === 'us' || unit === 'µs') return ms * 1000;
  throw new Error(`unit "${unit}" is not a time unit (ms, s, us)`);
}

/** A time objective value in milliseconds. */
export function toMs(value: number, unit: string): number {
  return value / msIn(1, unit);
}

/** A ratio (0..1) in a ratio unit: `%` gives percent, `ratio`/`fraction`/empty gives 0..1. */
export function ratioIn(fraction: number, unit: string): number {
  if (unit === '%') return fraction * 100;
  if (unit === 'ratio' || unit === 'fraction' || unit === '') return fraction;
  throw new Error(`unit "${unit}" is not a ratio unit (%, ratio)`);
}

/** Nearest-rank percentile (0-100] of raw values; null when empty. */
export function nearestRank(values: readonly number[], percentile: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((percentile / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1] ?? null;
}

export function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

interface ProbeDataOf {
  kafka: KafkaSample;
  'consumer-lag': ConsumerLagSample;
  redis: RedisSample;
  postgres: PostgresSample;
  haproxy: HaproxySample;
  'service-metrics': ServiceMetricsSample;
  freshness: FreshnessSample;
  opensearch: OpensearchSample;
}

export interface Sample<T> {
  t: RunMs;
  data: T;
}

/**
 * Samples of one probe in time order; null when the run has no history. Samples with ok=false
 * observed nothing and are left out, unless `failedAs` gives the data to read them as.
 */
export function samplesOf<P extends keyof ProbeDataOf & ProbeName>(
  run: RunData,
  probe: P,
  failedAs?: ProbeDataOf[P],
): Sample<ProbeDataOf[P]>[] | null {
  if (run.history === null) return null;
  const out: Sample<ProbeDataOf[P]>[] = [];
  for (const e of run.history) {
    if (e.kind !== 'sample' || e.probe !== probe) continue;
    if (e.ok) out.push({ t: e.t, data: e.data as ProbeDataOf[P] });
    else if (failedAs) out.push({ t: e.t, data: failedAs });
  }
  return out;
}

/**
 * A calibration error row (RTO against a known truth): the worst error, and `unknown` instead of
 * a pass when a fault never recovered (an unrecovered RTO cannot confirm the calibration).
 */
export function errorMeasurement(
  worst: number,
  detail: string,
  evidence: unknown,
  unrecovered: boolean,
  objective: Objective,
): Measurement {
  return {
    measured: worst,
    detail,
    evidence,
    ...(unrecovered && within(worst, objective) ? { verdict: 'unknown' as const } : {}),
  };
}
