import {
  type LostWrite,
  RUN_FORMAT_VERSION,
  type RunResults,
  type SloSource,
  type SloVerdict,
  type Verdict,
} from '../../lib/run-format.ts';
import { RUN_FILES } from '../../lib/run-store/run-files.ts';
import { writeRunJson } from '../../lib/run-store/write-run-file.ts';
import type { LatencyBound, MetricId, SloRow } from '../../lib/slo.ts';
import { availability } from './availability.ts';
import { cacheHitRatio } from './cache-hit-ratio.ts';
import { capacity } from './capacity.ts';
import { type CheckContext, type Checker, type Measurement, marginOf, round, within } from './checker.ts';
import { componentRecoveryChecker } from './component-recovery.ts';
import { consumerLag } from './consumer-lag.ts';
import { degradedNotFailed } from './degraded-not-failed.ts';
import { endpointRto, endpointRtoError } from './endpoint-rto.ts';
import { errorRate } from './error-rate.ts';
import { faultMeasurements } from './fault-recovery.ts';
import { indexRefresh, ingestLag } from './freshness.ts';
import { SliBounds } from './good-requests.ts';
import { latency } from './latency.ts';
import { diffLedger } from './ledger-diff.ts';
import { loadRun, type RunData } from './load-run.ts';
import { loadgenValidity, loadValidity } from './loadgen-validity.ts';
import { overbooking } from './overbooking.ts';
import { type PlanDeviation, planDeviations } from './plan-deviations.ts';
import { duplicates, rpoLostWrites, rpoWindow } from './rpo.ts';
import { rto, rtoError } from './rto.ts';
import { throughput } from './throughput.ts';

/** The checker of every MetricId (lib/slo.ts documents each). */
export const CHECKERS: Record<MetricId, Checker> = {
  latency,
  'error-rate': errorRate,
  availability,
  throughput,
  capacity,
  rto,
  'rto-error': rtoError,
  'endpoint-rto': endpointRto,
  'endpoint-rto-error': endpointRtoError,
  'component-recovery': componentRecoveryChecker,
  'rpo-lost-writes': rpoLostWrites,
  'rpo-window': rpoWindow,
  duplicates,
  'consumer-lag': consumerLag,
  'ingest-lag': ingestLag,
  'index-refresh': indexRefresh,
  'cache-hit-ratio': cacheHitRatio,
  overbooking,
  'loadgen-validity': loadgenValidity,
  'degraded-not-failed': degradedNotFailed,
};

export interface JudgeOptions {
  /** Multiplier for `scaled` objectives; default the run's plan.scale. */
  scale?: number;
  /** SLO table files the rows came from, recorded in results.json. */
  sloTables?: string[];
  /** ISO time recorded as judgedAt; default now. */
  now?: string;
  /** The SLI's latency bounds from the SLO tables (loadSloTables → boundsOf); default none (DEFAULT_BOUND_MS). */
  bounds?: readonly LatencyBound[];
}

/** Source of the verdicts the judge adds itself (not from a seed table). */
const HARNESS_SOURCE = (row: string): SloSource => ({
  seed: 'architecture.md',
  table: 'What is measured, and how',
  row,
});

function scaledRow(row: SloRow, scale: number): SloRow {
  return row.scaled ? { ...row, objective: { ...row.objective, value: row.objective.value * scale } } : row;
}

/** Runs one row's checker; a checker that throws yields `unknown` with the reason. */
function judgeRow(run: RunData, original: SloRow, row: SloRow, ctx: CheckContext): SloVerdict {
  let m: Measurement;
  try {
    const checker = CHECKERS[row.metric];
    if (!checker) throw new Error(`no checker for metric "${row.metric}"`);
    m = checker(run, row, ctx);
  } catch (err) {
    m = {
      measured: null,
      detail: `checker failed: ${err instanceof Error ? err.message : String(err)}`,
      verdict: 'unknown',
    };
  }
  const measured = m.measured !== null && Number.isFinite(m.measured) ? m.measured : null;
  const verdict: Verdict =
    m.verdict ?? (measured === null ? 'unknown' : within(measured, row.objective) ? 'pass' : 'fail');
  const scaleNote = original.scaled
    ? ` (objective ${original.objective.value} ${row.unit} × scale ${ctx.scale} = ${round(row.objective.value)} ${row.unit})`
    : '';
  return {
    id: row.id,
    title: row.title,
    verdict,
    measured,
    objective: row.objective,
    unit: row.unit,
    margin: measured === null ? null : round(marginOf(measured, row.objective), 6),
    detail: `${m.detail}${scaleNote}`,
    source: row.source,
    ...(m.evidence === undefined ? {} : { evidence: m.evidence }),
  };
}

/** planDeviations, where a check that throws is itself a reason the run cannot pass. */
function deviationsOf(run: RunData): PlanDeviation[] {
  try {
    return planDeviations(run);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return [
      { code: 'plan-check-failed', faultId: '', detail: `checking the run against its plan failed: ${why}` },
    ];
  }
}

/**
 * Judges a loaded run against SLO rows (pure but for the default `now`). Overall verdict: an
 * invalid load (loadValidity) or a run that was not what was planned (planDeviations: a fault not
 * injected or not healed, a selector that matched nothing) makes the run `unknown` whatever the
 * rows say (architecture.md: "not pass or fail", "unknown, never pass"), each reason in a row of
 * its own; else any fail → fail; else any unknown, no rows, or a run that did not complete →
 * unknown; else pass.
 */
export function judge(run: RunData, rows: SloRow[], opts: JudgeOptions = {}): RunResults {
  const scale = opts.scale ?? run.plan.scale ?? 1;
  const effective = rows.map((r) => scaledRow(r, scale));
  const ctx: CheckContext = { rows: effective, scale, bounds: new SliBounds(opts.bounds ?? []) };
  const slos = rows.map((r, i) => judgeRow(run, r, effective[i] ?? r, ctx));

  const validity = loadValidity(run);
  // Add the reason unless a loadgen-validity row already reports the load as invalid.
  const explained = slos.some((s, i) => rows[i]?.metric === 'loadgen-validity' && s.verdict === 'unknown');
  if (validity.valid === false && !explained)
    slos.push({
      id: 'windshear.load-valid',
      title: 'Load generator kept to the profile',
      verdict: 'unknown',
      measured: validity.minAchievedShare === null ? null : round(validity.minAchievedShare * 100, 2),
      objective: { op: '>=', value: 95 },
      unit: '%',
      margin: null,
      detail: validity.reason,
      source: HARNESS_SOURCE(
        'Load-generator validity: if the engine could not start arrivals on time or fell below the target rate, the run is unknown',
      ),
      evidence: validity,
    });
  const deviations = deviationsOf(run);
  if (deviations.length > 0)
    slos.push({
      id: 'windshear.run-as-planned',
      title: 'Run went as planned',
      verdict: 'unknown',
      measured: deviations.length,
      objective: { op: '<=', value: 0 },
      unit: 'count',
      margin: null,
      detail: `not what was planned, so it cannot pass: ${deviations.map((d) => `[${d.code}] ${d.detail}`).join('; ')}`,
      source: HARNESS_SOURCE(
        'A run that is not what was planned (a fault not injected or not healed, a selector that matched nothing, a probe without samples) is unknown, never pass.',
      ),
      evidence: { deviations },
    });
  // A platform still behind under its background load at time zero (scenarios/run/steady-state.ts):
  // its steady window judged a backlog the run started, so the run cannot pass; a failure it
  // measured still stands (a lost write is lost whatever the lag).
  const steady = run.history?.find((e) => e.kind === 'steady-state');
  if (steady?.kind === 'steady-state' && !steady.reached)
    slos.push({
      id: 'windshear.steady-before-t0',
      title: 'Platform steady before time zero',
      verdict: 'unknown',
      measured: null,
      objective: { op: '>=', value: 1 },
      unit: 'count',
      margin: null,
      detail: `the platform was ${steady.detail} before time zero: the run cannot pass`,
      source: HARNESS_SOURCE(
        'A run starts measuring from a steady state: every consumer group keeping up with the background load before time zero.',
      ),
      evidence: { waitedMs: steady.waitedMs },
    });
  const end = run.history?.find((e) => e.kind === 'run-end');
  const incomplete =
    run.history === null
      ? null
      : !end
        ? 'history has no run-end event'
        : end.status !== 'completed'
          ? `run ${end.status}${end.reason ? `: ${end.reason}` : ''}`
          : null;
  if (incomplete)
    slos.push({
      id: 'windshear.run-complete',
      title: 'Run completed',
      verdict: 'unknown',
      measured: null,
      objective: { op: '>=', value: 1 },
      unit: 'count',
      margin: null,
      detail: `${incomplete}: the run cannot pass`,
      source: HARNESS_SOURCE('One run: ... heal every fault, settle, drain & verify ledger'),
    });

  let verdict: Verdict;
  if (validity.valid === false || deviations.length > 0) verdict = 'unknown';
  else if (slos.some((s) => s.verdict === 'fail')) verdict = 'fail';
  else if (rows.length === 0 || slos.some((s) => s.verdict === 'unknown')) verdict = 'unknown';
  else verdict = 'pass';

  let faults: RunResults['faults'] = [];
  try {
    faults = faultMeasurements(run, effective, ctx.bounds);
  } catch {
    faults = [];
  }
  let lostWrites: LostWrite[] = [];
  let dups: RunResults['duplicates'] = [];
  if (run.readback) {
    try {
      const d = diffLedger(run, run.ledger ?? [], run.readback);
      lostWrites = d.lost;
      dups = d.duplicates;
    } catch {
      lostWrites = [];
    }
  }
  return {
    formatVersion: RUN_FORMAT_VERSION,
    scenario: run.plan.scenario,
    runDir: run.runDir,
    verdict,
    slos,
    faults,
    lostWrites,
    duplicates: dups,
    judgedAt: opts.now ?? new Date().toISOString(),
    sloTables: opts.sloTables ?? [],
    ...(opts.bounds?.length
      ? { bounds: opts.bounds.map(({ tag, maxMs, source }) => ({ tag, maxMs, source })) }
      : {}),
    ...(run.plan.negativeControl ? { negativeControl: true } : {}),
  };
}

/** Writes results.json into the run directory (through lib/run-store). */
export async function writeResults(runDir: string, results: RunResults): Promise<void> {
  await writeRunJson(runDir, RUN_FILES.results, results);
}

/** Loads a run directory, judges it and writes results.json into it. */
export async function judgeRunDir(
  runDir: string,
  sloRows: SloRow[],
  opts: JudgeOptions = {},
): Promise<RunResults> {
  const results = judge(await loadRun(runDir), sloRows, opts);
  await writeResults(runDir, results);
  return results;
}
