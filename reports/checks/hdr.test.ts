import { describe, expect, it } from 'vitest';
import { encodeLatenciesUs, mergeHdr, percentileMs } from './hdr.ts';

describe('hdr', () => {
  it('merges histograms instead of averaging percentiles', () => {
    const fast = encodeLatenciesUs(Array.from({ length: 90 }, () => 1_000));
    const slow = encodeLatenciesUs(Array.from({ length: 10 }, () => 500_000));
    const h = mergeHdr([fast, slow]);
    expect(h.totalCount).toBe(100);
    expect(percentileMs(h, 50)).toBeCloseTo(1, 2);
    // p95 of the merge is in the slow tail; averaging the two p95s would give ~250 ms.
    expect(percentileMs(h, 95)).toBeGreaterThan(499);
  });

  it('answers null for an empty histogram', () => {
    expect(percentileMs(mergeHdr([]), 95)).toBeNull();
    expect(percentileMs(mergeHdr([encodeLatenciesUs([])]), 99)).toBeNull();
  });

  it('clamps values above 60 s instead of throwing', () => {
    expect(percentileMs(mergeHdr([encodeLatenciesUs([120_000_000])]), 100)).toBeGreaterThan(59_000);
  });
});
