import type { LatencyWindow } from '../../lib/run-format.ts';
import type { SloRow, SloWindow } from '../../lib/slo.ts';
import { type Measurement, unknown } from './checker.ts';
import type { RunData } from './load-run.ts';
import { describeWindow, type Range, secondIn, windowRanges } from './run-windows.ts';

/** LatencyWindows of `tag` whose second lies wholly inside the ranges (secondIn). */
export function windowsIn(
  metrics: readonly LatencyWindow[],
  tag: string,
  ranges: readonly Range[],
): LatencyWindow[] {
  return metrics.filter((w) => w.tag === tag && secondIn(w.sec, ranges));
}

export interface Selected {
  windows: LatencyWindow[];
  ranges: Range[];
  tag: string;
  /** e.g. `tag search, window steady (10-70 s, 130-190 s)`. */
  where: string;
}

/**
 * The request windows a row measures (its tag, default `*`, over its SLO window), or an unknown
 * measurement saying what is missing.
 */
export function selectWindows(
  run: RunData,
  row: SloRow,
  window: SloWindow = row.window,
): Selected | Measurement {
  const tag = row.params?.tag ?? '*';
  if (run.metrics === null) return unknown('metrics.jsonl is missing: no request measurements');
  const ranges = windowRanges(run, window);
  if (ranges.length === 0) return unknown(`the run never reached window ${window}`);
  const where = `tag ${tag}, ${describeWindow(window, ranges)}`;
  const windows = windowsIn(run.metrics, tag, ranges);
  if (windows.reduce((n, w) => n + w.count, 0) === 0) return unknown(`no requests recorded for ${where}`);
  return { windows, ranges, tag, where };
}

export function isMeasurement<T extends object>(x: T | Measurement): x is Measurement {
  return 'detail' in x;
}
