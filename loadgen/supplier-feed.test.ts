import { describe, expect, it } from 'vitest';
import { startFakeEdge } from './fake-edge.ts';
import { setSupplierFeedRate, splitFeedRate } from './supplier-feed.ts';

describe('supplier feed rate', () => {
  it('splits the aggregate rate over instances', () => {
    expect(splitFeedRate(10, 3)).toEqual([4, 3, 3]);
    expect(splitFeedRate(0, 2)).toEqual([0, 0]);
    expect(splitFeedRate(5, 0)).toEqual([]);
  });

  it('posts each share and reports an instance that is down', async () => {
    const a = await startFakeEdge();
    const b = await startFakeEdge();
    const bUrl = b.url;
    await b.close();
    try {
      const r = await setSupplierFeedRate([a.url, bUrl], 201);
      expect(a.feedRate).toBe(101);
      expect(r[0]).toMatchObject({ ok: true, ratePerSec: 101, status: 200 });
      expect(r[1]).toMatchObject({ ok: false, ratePerSec: 100 });
    } finally {
      await a.close();
    }
  });
});
