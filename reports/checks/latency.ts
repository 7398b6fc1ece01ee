import { type Checker, msIn, round } from './checker.ts';
import { mergeHdr, percentileMs } from './hdr.ts';
import { isMeasurement, selectWindows } from './metric-windows.ts';

/**
 * `latency`: params.percentile (default 95) of params.tag (default `*`) over the row's window,
 * from the merged per-second HDR histograms (latency from each request's intended start).
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
  return {
    measured,
    detail: `p${p} of ${h.totalCount} requests, ${sel.where}`,
    evidence: {
      count: h.totalCount,
      p50Ms: percentileMs(h, 50),
      p95Ms: percentileMs(h, 95),
      p99Ms: percentileMs(h, 99),
      maxMs: h.maxValue / 1000,
    },
  };
};
