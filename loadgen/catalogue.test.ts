import { describe, expect, it } from 'vitest';
import { catalogueEnv, discoverFlightIds } from './catalogue.ts';
import { startFakeEdge } from './fake-edge.ts';

describe('discoverFlightIds', () => {
  it('collects flight ids from searches, bounded by max', async () => {
    const edge = await startFakeEdge();
    try {
      const ids = await discoverFlightIds(edge.url, { airports: ['AAA', 'BBB'], dates: ['2026-12-01'] });
      expect(ids.sort()).toEqual([
        'AAA-BBB-2026-12-01-1',
        'AAA-BBB-2026-12-01-2',
        'AAA-BBB-2026-12-01-3',
        'BBB-AAA-2026-12-01-1',
        'BBB-AAA-2026-12-01-2',
        'BBB-AAA-2026-12-01-3',
      ]);
      expect(await discoverFlightIds(edge.url, undefined, { max: 4 })).toHaveLength(4);
    } finally {
      await edge.close();
    }
  });

  it('returns nothing (and does not throw) when the target is down or failing', async () => {
    const edge = await startFakeEdge({ failPath: /search/ });
    try {
      expect(await discoverFlightIds(edge.url)).toEqual([]);
    } finally {
      await edge.close();
    }
    expect(await discoverFlightIds(edge.url, undefined, { maxSearches: 2 })).toEqual([]);
  });

  it('builds the k6 __ENV', () => {
    expect(catalogueEnv({ airports: ['A', 'B'], dates: ['d'] }, ['f1', 'f2'])).toEqual({
      WS_AIRPORTS: 'A,B',
      WS_DATES: 'd',
      WS_FLIGHT_IDS: 'f1,f2',
    });
    expect(catalogueEnv({ airports: ['A'], dates: ['d'] }).WS_FLIGHT_IDS).toBeUndefined();
  });
});
