import { type Checker, ratioIn, round } from './checker.ts';
import { isMeasurement, selectWindows } from './metric-windows.ts';

/** `availability`: successful / all requests of params.tag (default `*`) over the window, in `%`. */
export const availability: Checker = (run, row) => {
  const sel = selectWindows(run, row);
  if (isMeasurement(sel)) return sel;
  const count = sel.windows.reduce((n, w) => n + w.count, 0);
  const errors = sel.windows.reduce((n, w) => n + w.errors, 0);
  return {
    measured: round(ratioIn((count - errors) / count, row.unit), 4),
    detail: `${count - errors} of ${count} requests succeeded, ${sel.where}`,
    evidence: { count, errors },
  };
};
