import type { LatencyWindow } from '../../lib/run-format.ts';
import type { SloRow } from '../../lib/slo.ts';
import { type Checker, msIn, ratioIn, round, unknown, within } from './checker.ts';
import { mergeHdr, percentileMs } from './hdr.ts';
import type { RunData } from './load-run.ts';
import { MIN_ACHIEVED_SHARE } from './loadgen-validity.ts';
import { windowsIn } from './metric-windows.ts';
import { windowRanges } from './run-windows.ts';

/** A plateau of the intended rate shorter than this is a ramp, not a step. */
export const MIN_STEP_SEC = 5;

export interface CapacityStep {
  /** Intended arrival rate of the step, req/s (already scaled: what k6 was asked for). */
  rate: number;
  startSec: number;
  /** Exclusive. */
  endSec: number;
  achieved: number;
  p95Ms: number | null;
  /** Percent of requests that failed. */
  errorRate: number | null;
  pass: boolean;
  /** Why the step did not pass: row ids and load problems. */
  failed: string[];
}

export interface CapacityEvidence {
  steps: CapacityStep[];
  /** Lowest step rate that did not pass, null when every step passed. */
  knee: number | null;
}

/**
 * Steps of a capacity run, read from the `*` windows: a step is a run of at least MIN_STEP_SEC
 * consecutive seconds with the same `intendedRate` (> 0, to 0.1 req/s) inside `ranges`; its first
 * second (the jump) is left out.
 */
export function findSteps(
  metrics: readonly LatencyWindow[],
  ranges: ReturnType<typeof windowRanges>,
): { rate: number; startSec: number; endSec: number }[] {
  const all = windowsIn(metrics, '*', ranges)
    .filter((w) => w.intendedRate !== undefined)
    .sort((a, b) => a.sec - b.sec);
  const runs: { rate: number; startSec: number; endSec: number }[] = [];
  for (const w of all) {
    const rate = Math.round((w.intendedRate ?? 0) * 10) / 10;
    const last = runs[runs.length - 1];
    if (last && last.rate === rate && last.endSec === w.sec) last.endSec = w.sec + 1;
    else runs.push({ rate, startSec: w.sec, endSec: w.sec + 1 });
  }
  return runs
    .filter((r) => r.rate > 0 && r.endSec - r.startSec >= MIN_STEP_SEC)
    .map((r) => ({ ...r, startSec: r.startSec + 1 }));
}

const STEP_METRICS = new Set(['latency', 'error-rate', 'availability']);

/** Judges one step against every latency / error-rate / availability row among `rows` (objectives already scaled). */
function judgeStep(
  metrics: readonly LatencyWindow[],
  step: { rate: number; startSec: number; endSec: number },
  rows: readonly SloRow[],
): CapacityStep {
  const range = [{ startMs: step.startSec * 1000, endMs: step.endSec * 1000 }];
  const all = windowsIn(metrics, '*', range);
  const count = all.reduce((n, w) => n + w.count, 0);
  const errors = all.reduce((n, w) => n + w.errors, 0);
  const dropped = all.reduce((n, w) => n + (w.droppedIterations ?? 0), 0);
  const seconds = step.endSec - step.startSec;
  const achieved = count / seconds;
  const failed: string[] = [];
  if (dropped > 0) failed.push(`k6 dropped ${dropped} iterations`);
  if (achieved < MIN_ACHIEVED_SHARE * step.rate) failed.push(`achieved ${round(achieved, 1)} req/s`);
  for (const row of rows) {
    if (!STEP_METRICS.has(row.metric)) continue;
    const ws = windowsIn(metrics, row.params?.tag ?? '*', range);
    const n = ws.reduce((s, w) => s + w.count, 0);
    if (n === 0) {
      failed.push(`${row.id}: no requests`);
      continue;
    }
    let measured: number;
    if (row.metric === 'latency') {
      const ms = percentileMs(mergeHdr(ws.map((w) => w.hdr)), row.params?.percentile ?? 95) ?? 0;
      measured = msIn(ms, row.unit);
    } else {
      const e = ws.reduce((s, w) => s + w.errors, 0) / n;
      measured = ratioIn(row.metric === 'error-rate' ? e : 1 - e, row.unit);
    }
    if (!within(measured, row.objective)) failed.push(`${row.id} = ${round(measured)} ${row.unit}`);
  }
  const p95 = count > 0 ? percentileMs(mergeHdr(all.map((w) => w.hdr)), 95) : null;
  return {
    ...step,
    achieved: round(achieved, 2),
    p95Ms: p95 === null ? null : round(p95),
    errorRate: count > 0 ? round((100 * errors) / count, 4) : null,
    pass: failed.length === 0,
    failed,
  };
}

/**
 * `capacity`: the highest step rate (req/s) below the knee at which the load was sustained (≥ 95 %
 * of intended, nothing dropped) and every latency / error-rate / availability row of the table
 * passed over that step; 0 when the first step already failed. Evidence: CapacityEvidence.
 */
export const capacity: Checker = (run: RunData, row, ctx) => {
  if (run.metrics === null) return unknown('metrics.jsonl is missing: no request measurements');
  const ranges = windowRanges(run, row.window);
  if (ranges.length === 0) return unknown(`the run never reached window ${row.window}`);
  const found = findSteps(run.metrics, ranges);
  if (found.length === 0)
    return unknown(
      `no load steps found in window ${row.window}: no intendedRate plateau of ${MIN_STEP_SEC} s or more (is this a capacity-step run?)`,
    );
  const others = ctx.rows.filter((r) => r.id !== row.id);
  const steps = found.map((s) => judgeStep(run.metrics ?? [], s, others));
  const failing = steps.filter((s) => !s.pass).map((s) => s.rate);
  const knee = failing.length > 0 ? Math.min(...failing) : null;
  const sustained = steps.filter((s) => s.pass && (knee === null || s.rate < knee)).map((s) => s.rate);
  const measured = sustained.length > 0 ? Math.max(...sustained) : 0;
  const judgedBy = others.filter((r) => STEP_METRICS.has(r.metric)).map((r) => r.id);
  const by =
    judgedBy.length > 0 ? `rows ${judgedBy.join(', ')}` : 'achieved rate only (no latency/error rows)';
  const evidence: CapacityEvidence = { steps, knee };
  return {
    measured,
    detail: `${steps.length} steps judged by ${by}; highest sustained ${measured} req/s, knee ${knee ?? 'not reached'}`,
    evidence,
  };
};
