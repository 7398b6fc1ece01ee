/**
 * The regression rule of `windshear report trend`, per scenario and series (one SLO row's
 * measured value, the worst RTO, lost writes, a capacity knee):
 *
 *   baseline = the series' values in up to BASELINE_RUNS earlier runs whose verdict was not
 *              `unknown` (an invalid run's measurements are not evidence); needs MIN_BASELINE.
 *   noise    = max(1.4826 × MAD(baseline), 5 % of |median(baseline)|)   (MAD scaled to σ)
 *   flagged  when the value is worse than the median by more than 3 × noise, "worse" meaning
 *              higher for lower-is-better series and lower for higher-is-better ones; when noise
 *              is 0 (a constant baseline of 0, e.g. no lost writes) any worsening is flagged.
 */

export const BASELINE_RUNS = 10;
export const MIN_BASELINE = 3;
export const NOISE_FACTOR = 3;
export const RELATIVE_FLOOR = 0.05;

export type Better = 'lower' | 'higher';

export interface Judgement {
  median: number;
  mad: number;
  /** The value beyond which a run is flagged, in the series' unit. */
  limit: number;
  regressed: boolean;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Judges `value` against earlier values (oldest first); null when the baseline is too short. */
export function judgeRegression(value: number, earlier: number[], better: Better): Judgement | null {
  const baseline = earlier.slice(-BASELINE_RUNS);
  if (baseline.length < MIN_BASELINE) return null;
  const m = median(baseline);
  const mad = median(baseline.map((x) => Math.abs(x - m)));
  const noise = Math.max(1.4826 * mad, RELATIVE_FLOOR * Math.abs(m));
  const limit = better === 'lower' ? m + NOISE_FACTOR * noise : m - NOISE_FACTOR * noise;
  const regressed = better === 'lower' ? value > limit : value < limit;
  return { median: m, mad, limit, regressed };
}
