import { type Checker, msIn, round, within } from './checker.ts';
import { mergeHdr, percentileMs } from './hdr.ts';
import { isMeasurement, selectWindows } from './metric-windows.ts';

/**
 * `latency`: params.percentile (default 95) of params.tag (default `*`) over the row's window,
 * from the merged per-second HDR histograms (latency from each request's intended start).
 *
 * Latency counts from the intended start, so the engine's own send lag is inside the figure. On
 * a machine that runs the system and the load engine together, a starved engine sends late and
 * the system is charged for it. When the figure misses an upper objective but would meet it
 * without the engine's send lag (its p99 over the run, generator.json), the row is `unknown`:
 * the run cannot tell the system's latency from the load machine's.
 */
export const latency: Checker = (run, row) => {
  const sel = selectWindows(run, row);
  if (isMeasurement(sel)) return sel;
  const p = row.params?.percentile ?? 95;
  const h = mergeHdr(sel.windows.map((w) => w.hdr));
  const ms = percentileMs(h, p);
  if (ms === null)
    return { measured: null, detail: `no latency histogram for ${sel.where}`, verdict: 'unknown' };
  const measured = round(msIn(ms, row.unit));
  const lagMs = run.generator?.lagP99Ms ?? null;
  const upper = row.objective.op === '<' || row.objective.op === '<=';
  const engineMayExplain =
    upper &&
    lagMs !== null &&
    !within(measured, row.objective) &&
    within(msIn(Math.max(0, ms - lagMs), row.unit), row.objective);
  return {
    measured,
    detail: engineMayExplain
      ? `p${p} of ${h.totalCount} requests, ${sel.where}; unknown: the load engine sent late (send lag p99 ${round(lagMs, 1)} ms), and without that lag the figure would be within the objective: rerun on a quieter machine`
      : `p${p} of ${h.totalCount} requests, ${sel.where}${lagMs !== null && lagMs >= 1 ? ` (engine send lag p99 ${round(lagMs, 1)} ms included)` : ''}`,
    ...(engineMayExplain ? { verdict: 'unknown' as const } : {}),
    evidence: {
      engineSendLagP99Ms: lagMs,
      count: h.totalCount,
      p50Ms: percentileMs(h, 50),
      p95Ms: percentileMs(h, 95),
      p99Ms: percentileMs(h, 99),
      maxMs: h.maxValue / 1000,
    },
  };
};
