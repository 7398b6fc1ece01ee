import type { RunMs } from '../../lib/run-format.ts';
import type { SloWindow } from '../../lib/slo.ts';
import { type Measurement, unknown } from './checker.ts';
import { describeWindow, type Range } from './run-windows.ts';

/** A range shorter than this never needs a sample, whatever the probe's interval. */
export const MIN_SAMPLED_RANGE_MS = 2000;

/** Median gap between consecutive times (ms); null with fewer than two. */
function medianGapMs(times: readonly RunMs[]): number | null {
  const sorted = [...times].sort((a, b) => a - b);
  const gaps = sorted.slice(1).map((t, i) => t - (sorted[i] ?? t));
  if (gaps.length === 0) return null;
  gaps.sort((a, b) => a - b);
  return gaps[Math.floor((gaps.length - 1) / 2)] ?? null;
}

/**
 * Ranges of a window in which a probe recorded nothing, though they last long enough for it to
 * have: at least twice its usual interval (the median gap between its samples over the whole
 * run) and at least MIN_SAMPLED_RANGE_MS. A row judged over such a window would silently judge
 * only part of it (e.g. baseline without `after`), so the checkers answer `unknown`.
 */
export function unsampledRanges(times: readonly RunMs[], ranges: readonly Range[]): Range[] {
  const minMs = Math.max(MIN_SAMPLED_RANGE_MS, 2 * (medianGapMs(times) ?? 0));
  return ranges.filter(
    (r) => r.endMs - r.startMs >= minMs && !times.some((t) => t >= r.startMs && t < r.endMs),
  );
}

/**
 * The `unknown` a checker answers when its probe was silent in part of the row's window (`what`
 * names the samples, e.g. "lag samples of stream-normalizer"), or null when it was not.
 */
export function unsampledUnknown(
  what: string,
  times: readonly RunMs[],
  ranges: readonly Range[],
  window: SloWindow,
): Measurement | null {
  const gaps = unsampledRanges(times, ranges);
  return gaps.length > 0
    ? unknown(`no ${what} in part of the window: ${describeWindow(window, gaps)}`, { unsampled: gaps })
    : null;
}
