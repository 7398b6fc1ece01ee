import { type Checker, ratioIn, round } from './checker.ts';
import { isMeasurement, selectWindows } from './metric-windows.ts';

/** `error-rate`: failed / all requests of params.tag (default `*`) over the window, in the row's unit (`%`). */
export const errorRate: Checker = (run, row) => {
  const sel = selectWindows(run, row);
  if (isMeasurement(sel)) return sel;
  const count = sel.windows.reduce((n, w) => n + w.count, 0);
  const errors = sel.windows.reduce((n, w) => n + w.errors, 0);
  return {
    measured: round(ratioIn(errors / count, row.unit), 4),
    detail: `${errors} of ${count} requests failed, ${sel.where}`,
    evidence: { count, errors },
  };
};
