import {
  build,
  decodeFromCompressedBase64,
  encodeIntoCompressedBase64,
  type Histogram,
} from 'hdr-histogram-js';

/**
 * The settings every LatencyWindow.hdr is built with (lib/run-format.ts): latency in
 * microseconds, 1 µs to 60 s, 3 significant digits. The load side encodes with the same.
 */
export const HDR_SETTINGS = {
  lowestDiscernibleValue: 1,
  highestTrackableValue: 60_000_000,
  numberOfSignificantValueDigits: 3,
} as const;

export function newHistogram(): Histogram {
  return build({ ...HDR_SETTINGS, autoResize: true });
}

/** Encodes latencies given in microseconds (values above the range are clamped to it). */
export function encodeLatenciesUs(valuesUs: number[]): string {
  const h = build(HDR_SETTINGS);
  for (const v of valuesUs)
    h.recordValue(Math.min(HDR_SETTINGS.highestTrackableValue, Math.max(0, Math.round(v))));
  return encodeIntoCompressedBase64(h);
}

/** Merges encoded histograms into one; percentiles are read from the merge, never averaged. */
export function mergeHdr(encoded: Iterable<string>): Histogram {
  const merged = newHistogram();
  for (const e of encoded) {
    if (!e) continue;
    merged.add(decodeFromCompressedBase64(e));
  }
  return merged;
}

/** Value at `percentile` (0-100) in milliseconds, null for an empty histogram. */
export function percentileMs(h: Histogram, percentile: number): number | null {
  if (h.totalCount === 0) return null;
  return h.getValueAtPercentile(percentile) / 1000;
}
