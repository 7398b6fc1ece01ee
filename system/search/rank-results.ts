import type { SearchResult } from '../contracts.ts';

/** Relative weights of price, duration and stops in the ranking score (lower score ranks first). */
export interface RankWeights {
  price: number;
  duration: number;
  stops: number;
}
export const DEFAULT_WEIGHTS: RankWeights = { price: 0.6, duration: 0.3, stops: 0.1 };

export interface Rankable extends SearchResult {
  /** Price in EUR for comparison across currencies; null when unknown. */
  priceEur: number | null;
}

const durationMin = (r: SearchResult) => (Date.parse(r.arrival) - Date.parse(r.departure)) / 60_000;

/**
 * Ranks by a weighted score of price (relative to the cheapest), duration (relative to the
 * shortest) and stops; results without a price go last, in departure order. Stable: ties break on
 * departure time, then flight id.
 */
export function rankResults<T extends Rankable>(results: T[], w: RankWeights = DEFAULT_WEIGHTS): T[] {
  const priced = results.filter((r) => r.priceEur !== null && r.priceEur > 0);
  const minPrice = Math.min(...priced.map((r) => r.priceEur as number));
  const minDur = Math.max(1, Math.min(...results.map(durationMin)));
  const score = (r: T) =>
    r.priceEur === null || r.priceEur <= 0
      ? Number.POSITIVE_INFINITY
      : w.price * (r.priceEur / minPrice) + w.duration * (durationMin(r) / minDur) + w.stops * r.stops;
  return results
    .map((r) => ({ r, s: score(r) }))
    .sort(
      (a, b) =>
        a.s - b.s ||
        Date.parse(a.r.departure) - Date.parse(b.r.departure) ||
        a.r.flightId.localeCompare(b.r.flightId),
    )
    .map((x) => x.r);
}
