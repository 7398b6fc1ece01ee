import { describe, expect, it } from 'vitest';
import { median, summarizeCapacity } from './capacity-reps.ts';

describe('median', () => {
  it('is the middle reading of an odd count, whatever the order', () => {
    expect(median([16_267, 11_929, 14_640])).toBe(14_640);
  });

  it('is the mean of the two middle readings of an even count, and null for none', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNull();
  });
});

describe('summarizeCapacity', () => {
  it('divides the median search by the median ceiling and keeps each pair ratio and their range', () => {
    const s = summarizeCapacity([7_417, 6_743, 6_069], [14_640, 11_929, 16_267]);
    expect(s.searchMedian).toBe(6_743);
    expect(s.bareMedian).toBe(14_640);
    expect(s.ratio).toBeCloseTo(6_743 / 14_640, 6);
    expect(s.pairRatios.map((r) => r?.toFixed(3))).toEqual(['0.507', '0.565', '0.373']);
    expect(s.ratioRange?.map((r) => r.toFixed(3))).toEqual(['0.373', '0.565']);
  });

  it('gives no ratio when the ceiling held nothing, and counts a search that held nothing as 0', () => {
    const s = summarizeCapacity([0, 500, 400], [0, 0, 1_000]);
    expect(s.bareMedian).toBe(0);
    expect(s.ratio).toBeNull();
    expect(s.searchMedian).toBe(400);
    expect(s.pairRatios).toEqual([null, null, 0.4]);
    expect(s.ratioRange).toEqual([0.4, 0.4]);
  });

  it('has no ratio and no range without readings', () => {
    const s = summarizeCapacity([], []);
    expect(s.ratio).toBeNull();
    expect(s.ratioRange).toBeNull();
  });
});
