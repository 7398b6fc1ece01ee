import { type Checker, ratioIn, round, samplesOf, unknown } from './checker.ts';
import { counterDelta } from './counter-delta.ts';
import { describeWindow, windowRanges } from './run-windows.ts';
import { unsampledUnknown } from './unsampled-ranges.ts';

/**
 * `cache-hit-ratio`: increase of cacheHits / (cacheHits + cacheMisses) over the window, from the
 * cumulative counters of `service-metrics` samples (counterDelta: resets are restarts), in `%`.
 */
export const cacheHitRatio: Checker = (run, row) => {
  const all = samplesOf(run, 'service-metrics');
  if (all === null) return unknown('history.jsonl is missing: no service-metrics samples');
  const ranges = windowRanges(run, row.window);
  if (ranges.length === 0) return unknown(`the run never reached window ${row.window}`);
  const where = describeWindow(row.window, ranges);
  const hits = counterDelta(
    all.map((s) => ({ t: s.t, value: s.data.cacheHits })),
    ranges,
  );
  const misses = counterDelta(
    all.map((s) => ({ t: s.t, value: s.data.cacheMisses })),
    ranges,
  );
  if (hits === null || misses === null)
    return unknown(`fewer than two service-metrics samples around ${where}`);
  const silent = unsampledUnknown(
    'service-metrics samples',
    all.map((s) => s.t),
    ranges,
    row.window,
  );
  if (silent) return silent;
  if (hits + misses === 0) return unknown(`no cache lookups counted in ${where}`);
  return {
    measured: round(ratioIn(hits / (hits + misses), row.unit), 4),
    detail: `${hits} hits, ${misses} misses, ${where}`,
    evidence: { hits, misses },
  };
};
