/**
 * bench:system measures search and the bare-Fastify ceiling several times, alternating, because
 * one ladder is one sample: on 2 cores beside the idle stack the ceiling read 11,929-16,267 req/s
 * in four runs of 4-5 December (session 18), so a ratio of single readings moved 0.37-0.57.
 */

/** The middle value (mean of the two middle ones for an even count); null when there are none. */
export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

export interface CapacityReps {
  /** Highest rate held in each repetition, in the order measured. */
  search: number[];
  bare: number[];
  searchMedian: number | null;
  bareMedian: number | null;
  /** searchMedian / bareMedian: the headline ratio. Null without a ceiling. */
  ratio: number | null;
  /** Each repetition's search over the ceiling measured right after it, in order. */
  pairRatios: (number | null)[];
  /** Lowest and highest of pairRatios (nulls left out); null when none. */
  ratioRange: [number, number] | null;
}

/**
 * Summarises the repetitions. A repetition that held nothing counts as 0 (it is a reading, not a
 * gap); a ceiling of 0 gives no ratio.
 */
export function summarizeCapacity(search: readonly number[], bare: readonly number[]): CapacityReps {
  const searchMedian = median(search);
  const bareMedian = median(bare);
  const ratio = searchMedian !== null && bareMedian ? searchMedian / bareMedian : null;
  const pairRatios = search.map((s, i) => {
    const b = bare[i];
    return b ? s / b : null;
  });
  const known = pairRatios.filter((r): r is number => r !== null);
  return {
    search: [...search],
    bare: [...bare],
    searchMedian,
    bareMedian,
    ratio,
    pairRatios,
    ratioRange: known.length ? [Math.min(...known), Math.max(...known)] : null,
  };
}
