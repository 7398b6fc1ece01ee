import { type Checker, msIn, nearestRank, round, samplesOf, unknown } from './checker.ts';
import { describeWindow, inRanges, windowRanges } from './run-windows.ts';
import { unsampledUnknown } from './unsampled-ranges.ts';

function freshnessCheck(field: 'ingestLagSec' | 'indexRefreshSec', label: string): Checker {
  return (run, row) => {
    const all = samplesOf(run, 'freshness');
    if (all === null) return unknown('history.jsonl is missing: no freshness samples');
    const ranges = windowRanges(run, row.window);
    if (ranges.length === 0) return unknown(`the run never reached window ${row.window}`);
    const values = all.flatMap((s) => {
      const v = s.data[field];
      return inRanges(s.t, ranges) && v !== null && v !== undefined ? [v] : [];
    });
    const where = describeWindow(row.window, ranges);
    if (values.length === 0) return unknown(`no ${label} measurements in ${where}`);
    const measuredAt = all.flatMap((s) =>
      s.data[field] === null || s.data[field] === undefined ? [] : [s.t],
    );
    const silent = unsampledUnknown(`${label} measurements`, measuredAt, ranges, row.window);
    if (silent) return silent;
    const stat = field === 'indexRefreshSec' ? 'p95' : (row.params?.stat ?? 'p95');
    const sec = stat === 'max' ? Math.max(...values) : stat === 'p95' ? nearestRank(values, 95) : null;
    if (sec === null) return unknown(`unknown params.stat "${stat}" (p95, max)`);
    // The refresh is counted from the write's acknowledgement; the write itself is shown beside it.
    const writes =
      field === 'indexRefreshSec'
        ? all.flatMap((s) => {
            const w = s.data.indexWriteSec;
            return inRanges(s.t, ranges) && typeof w === 'number' ? [w] : [];
          })
        : [];
    const writeP95Sec = writes.length > 0 ? nearestRank(writes, 95) : null;
    const evidence = {
      samples: values.length,
      p95Sec: nearestRank(values, 95),
      maxSec: Math.max(...values),
      ...(writeP95Sec !== null ? { writeP95Sec } : {}),
    };
    return {
      measured: round(msIn(sec * 1000, row.unit)),
      detail: `${stat} ${label} of ${values.length} samples, ${where}${
        writeP95Sec !== null ? ` (the write before it: p95 ${round(writeP95Sec)} s)` : ''
      }`,
      evidence,
    };
  };
}

/** `ingest-lag`: supplier event time to searchable (freshness samples), params.stat p95 (default, nearest rank) or max. */
export const ingestLag: Checker = freshnessCheck('ingestLagSec', 'ingest lag');

/** `index-refresh`: index write acknowledged to visible in search (freshness samples), nearest-rank p95. */
export const indexRefresh: Checker = freshnessCheck('indexRefreshSec', 'index refresh');
