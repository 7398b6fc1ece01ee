import { describe, expect, it } from 'vitest';
import { projectionLag } from './projector.ts';

describe('projectionLag', () => {
  it('sums offset lag and reports the oldest lag in seconds', () => {
    const seen = new Map<number, number>();
    const parts = [
      { partition: 0, high: 10n, committed: 10n, projectedAt: 1_000 },
      { partition: 1, high: 15n, committed: 12n, projectedAt: 5_000 },
      { partition: 2, high: 4n, committed: -1n, projectedAt: null },
    ];
    const first = projectionLag(parts, seen, 10_000);
    expect(first.lagOffsets).toBe(7);
    // Partition 1 last progressed 5 s ago but was first seen lagging now.
    expect(first.lagSec).toBe(0);
    expect(first.lastProjectedAt).toBe(new Date(5_000).toISOString());
    const later = projectionLag(parts, seen, 13_000);
    expect(later.lagSec).toBe(3);
  });

  it('forgets a partition once it caught up', () => {
    const seen = new Map<number, number>();
    projectionLag([{ partition: 0, high: 2n, committed: 1n, projectedAt: 0 }], seen, 1_000);
    expect(seen.has(0)).toBe(true);
    const r = projectionLag([{ partition: 0, high: 2n, committed: 2n, projectedAt: 1_500 }], seen, 2_000);
    expect(r).toMatchObject({ lagOffsets: 0, lagSec: 0 });
    expect(seen.has(0)).toBe(false);
  });
});
