import { type Checker, ratioIn, round, unknown } from './checker.ts';
import { goodBySecond, goodIn } from './good-requests.ts';
import { isMeasurement, selectWindows } from './metric-windows.ts';

/**
 * `error-rate`: bad / all requests of params.tag (default `*`) over the window, in the row's unit
 * (`%`). Bad is the SLI's: failed, or answered later than the endpoint's latency bound (ctx.bounds).
 */
export const errorRate: Checker = (run, row, ctx) => {
  const sel = selectWindows(run, row);
  if (isMeasurement(sel)) return sel;
  const g = goodBySecond(run, sel.tag, ctx.bounds);
  const c = goodIn(g, sel.ranges);
  if (c.count === 0) return unknown(`no requests due in ${sel.where}`);
  return {
    measured: round(ratioIn(c.bad / c.count, row.unit), 4),
    detail:
      `${c.bad} of ${c.count} requests bad (${c.errors} failed, ${c.slow} too slow; ` +
      `${sel.tag === '*' ? "each endpoint's bound" : ctx.bounds.describe([sel.tag])}${g.from === 'windows' ? ', slow estimated from histograms' : ''}), ${sel.where}`,
    evidence: { count: c.count, errors: c.errors, slow: c.slow, bad: c.bad, from: g.from },
  };
};
