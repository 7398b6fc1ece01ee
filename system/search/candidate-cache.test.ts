import { describe, expect, it } from 'vitest';
import {
  CandidateCache,
  type CandidateCacheOptions,
  type Candidates,
  candidateKey,
} from './candidate-cache.ts';
import type { SearchQuery } from './search-query.ts';

const q: SearchQuery = { origin: 'LHR', destination: 'JFK', date: '2026-12-01', limit: 20 };
const set = (flightId: string): Candidates => ({
  docs: [
    {
      flightId,
      airline: 'BA',
      flightNumber: 'BA1',
      origin: 'LHR',
      destination: 'JFK',
      departure: '2026-12-01T08:00:00.000Z',
      arrival: '2026-12-01T16:00:00.000Z',
      stops: 0,
    },
  ],
  total: 1,
  facets: { airline: [], stops: [], departureWindow: [] },
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function candidates(o: Partial<CandidateCacheOptions>) {
  let t = 0;
  const c = new CandidateCache({
    index: async () => set('idx'),
    store: async () => set('store'),
    budgetMs: 20,
    freshMs: 1_000,
    storeFreshMs: 100,
    maxStaleMs: 60_000,
    capacity: 100,
    now: () => t,
    ...o,
  });
  return { c, advance: (ms: number) => (t += ms) };
}

describe('CandidateCache', () => {
  it('keys by the query without limit', () => {
    expect(candidateKey(q)).toBe(candidateKey({ ...q, limit: 5 }));
    expect(candidateKey(q)).not.toBe(candidateKey({ ...q, airline: ['BA'] }));
  });

  it('serves index candidates from the cache after one index call', async () => {
    let calls = 0;
    const { c } = candidates({
      index: async () => {
        calls++;
        return set('idx');
      },
    });
    const all = await Promise.all([c.get(q), c.get(q), c.get({ ...q, limit: 3 })]);
    expect(all.map((r) => r.reasons)).toEqual([[], [], []]);
    expect((await c.get(q)).hit).toBe('fresh');
    expect(calls).toBe(1);
  });

  it('answers from the store when the index fails, and says so', async () => {
    const { c } = candidates({ index: () => Promise.reject(new Error('down')) });
    const r = await c.get(q);
    expect(r.value.docs[0]!.flightId).toBe('store');
    expect(r.reasons).toEqual(['search-index-unavailable']);
  });

  it('answers from the store past the budget and caches the late index answer', async () => {
    const { c } = candidates({
      index: () => sleep(60).then(() => set('idx')),
      store: async () => set('store'),
    });
    const r = await c.get(q);
    expect(r.value.source).toBe('store');
    expect(r.reasons).toEqual(['search-index-slow']);
    await sleep(80);
    const again = await c.get(q);
    expect([again.value.source, again.hit, again.reasons]).toEqual(['index', 'fresh', []]);
  });

  it('keeps serving stale index candidates when a refresh fails, flagged', async () => {
    let up = true;
    const { c, advance } = candidates({
      index: () => (up ? Promise.resolve(set('idx')) : Promise.reject(new Error('down'))),
    });
    await c.get(q);
    up = false;
    advance(1_500);
    expect((await c.get(q)).reasons).toEqual([]);
    await sleep(0);
    const r = await c.get(q);
    expect([r.value.source, r.hit]).toEqual(['index', 'stale']);
    expect(r.reasons).toEqual(['search-index-unavailable', 'stale-candidates']);
  });

  it('fails when neither the index nor the store answers a miss', async () => {
    const { c } = candidates({
      index: () => Promise.reject(new Error('index down')),
      store: () => Promise.reject(new Error('store down')),
    });
    await expect(c.get(q)).rejects.toThrow('store down');
  });

  it('serves a late index answer that beats the store', async () => {
    const { c } = candidates({
      index: () => sleep(40).then(() => set('idx')),
      store: () => sleep(200).then(() => set('store')),
    });
    const r = await c.get(q);
    expect([r.value.source, r.reasons]).toEqual(['index', []]);
  });

  it('serves the store when the index fails after the budget', async () => {
    const { c } = candidates({
      index: () => sleep(40).then(() => Promise.reject(new Error('down'))),
      store: () => sleep(80).then(() => set('store')),
    });
    const r = await c.get(q);
    expect([r.value.source, r.reasons]).toEqual(['store', ['search-index-slow']]);
  });
});
