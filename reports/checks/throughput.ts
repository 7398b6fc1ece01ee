import { type Checker, round } from './checker.ts';
import { isMeasurement, selectWindows } from './metric-windows.ts';
import { rangeSeconds } from './run-windows.ts';

/**
 * `throughput`: requests of params.tag (default `*`) completed per second over the window, in
 * req/s: all requests (successful or not) divided by the window's whole seconds, including
 * seconds in which nothing completed.
 */
export const throughput: Checker = (run, row) => {
  const sel = selectWindows(run, row);
  if (isMeasurement(sel)) return sel;
  const seconds = rangeSeconds(sel.ranges).length;
  if (seconds === 0)
    return { measured: null, detail: `window shorter than a second, ${sel.where}`, verdict: 'unknown' };
  const count = sel.windows.reduce((n, w) => n + w.count, 0);
  const ok = count - sel.windows.reduce((n, w) => n + w.errors, 0);
  return {
    measured: round(count / seconds, 2),
    detail: `${count} requests in ${seconds} s (${round(ok / seconds, 2)} successful/s), ${sel.where}`,
    evidence: { count, ok, seconds },
  };
};
