import { type Checker, ratioIn, round, unknown, within } from './checker.ts';
import type { RunData } from './load-run.ts';
import { isMeasurement, selectWindows } from './metric-windows.ts';
import { LOAD_PHASES, phaseSpans } from './run-windows.ts';

/** Achieved below this share of the intended arrival rate in any load phase makes the run invalid. */
export const MIN_ACHIEVED_SHARE = 0.95;

export interface LoadValidity {
  /** null when it could not be judged (no metrics). */
  valid: boolean | null;
  reason: string;
  droppedIterations: number;
  /** Lowest achieved/intended share over the load phases (0..1), null without intended rates. */
  minAchievedShare: number | null;
  phases: {
    phase: string;
    startMs: number;
    endMs: number;
    intended: number;
    achieved: number;
    dropped: number;
  }[];
}

/**
 * Load-generator validity from the engine's self-check (generator.json, when the run has one) and
 * the `*` windows: unsent arrivals anywhere in the run, or
 * achieved fewer than 95 % of the intended requests in any load phase (sums over the phase of
 * `count` and of `intendedRate` for seconds that carry one) → invalid.
 */
export function loadValidity(run: RunData): LoadValidity {
  const none = { droppedIterations: 0, minAchievedShare: null, phases: [] };
  if (run.metrics === null) return { valid: null, reason: 'metrics.jsonl is missing', ...none };
  const all = run.metrics.filter((w) => w.tag === '*');
  if (all.length === 0) return { valid: null, reason: 'metrics.jsonl has no `*` windows', ...none };
  const droppedIterations = all.reduce((n, w) => n + (w.droppedIterations ?? 0), 0);
  const phases: LoadValidity['phases'] = [];
  for (const span of phaseSpans(run)) {
    if (!LOAD_PHASES.includes(span.phase)) continue;
    const ws = all.filter((w) => w.sec * 1000 >= span.startMs && w.sec * 1000 < span.endMs);
    const withIntent = ws.filter((w) => w.intendedRate !== undefined);
    phases.push({
      phase: span.phase,
      startMs: span.startMs,
      endMs: span.endMs,
      intended: withIntent.reduce((n, w) => n + (w.intendedRate ?? 0), 0),
      achieved: withIntent.reduce((n, w) => n + w.count, 0),
      dropped: ws.reduce((n, w) => n + (w.droppedIterations ?? 0), 0),
    });
  }
  const shares = phases.filter((p) => p.intended > 0).map((p) => p.achieved / p.intended);
  const minAchievedShare = shares.length > 0 ? Math.min(...shares) : null;
  const problems: string[] = [];
  // The engine's own self-check (generator.json): lateness and what it could not send.
  if (run.generator && !run.generator.valid)
    problems.push(`${run.generator.engine}: ${run.generator.reason ?? 'the engine judged its run invalid'}`);
  if (droppedIterations > 0) problems.push(`the engine did not send ${droppedIterations} intended arrivals`);
  const low = phases.filter((p) => p.intended > 0 && p.achieved / p.intended < MIN_ACHIEVED_SHARE);
  for (const p of low)
    problems.push(
      `${p.phase} at ${round(p.startMs / 1000, 1)} s achieved ${round((100 * p.achieved) / p.intended, 1)} % of the intended rate`,
    );
  const base = { droppedIterations, minAchievedShare, phases };
  if (problems.length > 0)
    return {
      valid: false,
      reason: `invalid load: ${problems.join('; ')} (run is unknown, not pass or fail)`,
      ...base,
    };
  const rateNote =
    minAchievedShare === null
      ? 'no intended rates recorded, only dropped iterations checked'
      : `lowest phase reached ${round(minAchievedShare * 100, 1)} % of the intended rate`;
  return { valid: true, reason: `no dropped iterations; ${rateNote}`, ...base };
}

/**
 * `loadgen-validity`, by params.stat:
 * - `dropped-iterations`: arrivals the engine did not send over the row's window (count; k6's
 *   dropped iterations);
 * - `late-share`: requests sent late (generator.json `lateLagMs`) after their intended start, of those intended
 *   (`%`; from generator.json, the run as a whole);
 * - `achieved-ratio`: requests completed / intended arrivals over the row's window (`%`), summed
 *   over the `*` seconds that carry an intendedRate;
 * - none: the lowest achieved share of any load phase (as loadValidity computes it).
 * Outside the objective is `unknown`, never `fail`: a load generator that fell short says nothing
 * about the system.
 */
export const loadgenValidity: Checker = (run, row) => {
  const stat = row.params?.stat;
  let measured: number | null;
  let detail: string;
  let evidence: unknown;
  if (stat === 'dropped-iterations' || stat === 'achieved-ratio') {
    const sel = selectWindows(run, { ...row, params: { ...row.params, tag: '*' } });
    if (isMeasurement(sel)) return sel;
    const dropped = sel.windows.reduce((n, w) => n + (w.droppedIterations ?? 0), 0);
    const withIntent = sel.windows.filter((w) => w.intendedRate !== undefined);
    const intended = withIntent.reduce((n, w) => n + (w.intendedRate ?? 0), 0);
    const achieved = withIntent.reduce((n, w) => n + w.count, 0);
    evidence = { dropped, intended: round(intended, 1), achieved };
    if (stat === 'dropped-iterations') {
      measured = dropped;
      detail = `the engine did not send ${dropped} intended arrivals, ${sel.where}`;
    } else {
      if (intended <= 0) return unknown(`no intended rate recorded, ${sel.where}`);
      measured = round(ratioIn(achieved / intended, row.unit), 2);
      detail = `${achieved} requests completed of ${round(intended, 1)} intended, ${sel.where}`;
    }
  } else if (stat === 'late-share') {
    const g = run.generator;
    if (!g)
      return unknown('generator.json is missing (runs recorded before the engine self-check have none)');
    if (!(g.intended > 0)) return unknown('the engine reports no intended arrivals');
    measured = round(ratioIn(g.late / g.intended, row.unit), 3);
    detail = `${g.engine} sent ${g.late} of ${Math.round(g.intended)} intended requests more than ${g.lateLagMs ?? 10} ms late (p99 send lag ${g.lagP99Ms ?? '?'} ms), ${g.unsent} never`;
    evidence = g;
  } else if (stat === undefined) {
    const v = loadValidity(run);
    measured = v.minAchievedShare === null ? null : round(ratioIn(v.minAchievedShare, row.unit), 2);
    detail = v.reason;
    evidence = v;
    if (v.valid !== true) return { measured, detail, evidence, verdict: 'unknown' };
  } else {
    return unknown(`unknown params.stat "${stat}" (dropped-iterations, achieved-ratio, late-share)`);
  }
  const inside = measured === null || within(measured, row.objective);
  return {
    measured,
    detail: inside ? detail : `${detail}: the load is invalid, the run is unknown`,
    evidence,
    verdict: inside ? 'pass' : 'unknown',
  };
};
