import { type Checker, ratioIn, round, unknown } from './checker.ts';
import { goodBySecond, goodIn } from './good-requests.ts';
import { isMeasurement, selectWindows } from './metric-windows.ts';

/**
 * `availability`: good / all requests of params.tag (default `*`) over the window, in `%`. Good is
 * the SLI's: succeeded within the endpoint's latency bound (ctx.bounds), so a request that waited
 * out an outage and then succeeded counts against it.
 */
export const availability: Checker = (run, row, ctx) => {
  const sel = selectWindows(run, row);
  if (isMeasurement(sel)) return sel;
  const g = goodBySecond(run, sel.tag, ctx.bounds);
  const c = goodIn(g, sel.ranges);
  if (c.count === 0) return unknown(`no requests due in ${sel.where}`);
  const bound = sel.tag === '*' ? ctx.bounds.describe(['*']) : ctx.bounds.describe([sel.tag]);
  return {
    measured: round(ratioIn((c.count - c.bad) / c.count, row.unit), 4),
    detail:
      `${c.count - c.bad} of ${c.count} requests good (${c.errors} failed, ${c.slow} too slow; ` +
      `${sel.tag === '*' ? "each endpoint's bound" : bound}${g.from === 'windows' ? ', slow estimated from histograms' : ''}), ${sel.where}`,
    evidence: { count: c.count, errors: c.errors, slow: c.slow, bad: c.bad, from: g.from },
  };
};
