import type { RunMs } from '../../lib/run-format.ts';
import type { Range } from './run-windows.ts';

/**
 * Increase of a cumulative counter over the ranges: the sum of differences between consecutive
 * samples whose later sample lies in a range (so the sample just before a range is its base). A
 * drop means the service restarted and counts from zero: the later value is the increase.
 * Returns null when no pair of samples falls in the ranges.
 */
export function counterDelta(
  samples: readonly { t: RunMs; value: number }[],
  ranges: readonly Range[],
): number | null {
  let sum = 0;
  let pairs = 0;
  for (let i = 1; i < samples.length; i++) {
    const prev = samples[i - 1];
    const cur = samples[i];
    if (!prev || !cur || !ranges.some((r) => cur.t >= r.startMs && cur.t < r.endMs)) continue;
    sum += cur.value >= prev.value ? cur.value - prev.value : cur.value;
    pairs += 1;
  }
  return pairs === 0 ? null : sum;
}
