import { describe, expect, it } from 'vitest';
import { buildSearchBody, parseSearchResponse, searchQuerySchema } from './search-query.ts';

describe('searchQuerySchema', () => {
  it('parses lists, times and defaults', () => {
    const q = searchQuerySchema.parse({
      origin: 'LHR',
      destination: 'JFK',
      date: '2026-12-01',
      airline: 'BA,AA',
      stops: '0,1',
      departAfter: '06:30',
    });
    expect(q).toMatchObject({ airline: ['BA', 'AA'], stops: [0, 1], departAfter: 390, limit: 20 });
  });

  it('rejects bad codes, dates, same origin and destination, unknown parameters', () => {
    const base = { origin: 'LHR', destination: 'JFK', date: '2026-12-01' };
    for (const bad of [
      { ...base, origin: 'lhr' },
      { ...base, date: '2026-13-01' },
      { ...base, destination: 'LHR' },
      { ...base, limit: '1000' },
      { ...base, departAfter: '25:00' },
      { ...base, departAfter: '10:00', departBefore: '09:00' },
      { ...base, evil: '1' },
      { origin: 'LHR', destination: 'JFK' },
    ]) {
      expect(searchQuerySchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});

describe('buildSearchBody', () => {
  it('filters route and day, puts facet filters in post_filter', () => {
    const body = buildSearchBody(
      searchQuerySchema.parse({ origin: 'LHR', destination: 'JFK', date: '2026-12-01', airline: 'BA' }),
    );
    expect(JSON.stringify(body.query)).toContain(
      '"gte":"2026-12-01T00:00:00.000Z","lt":"2026-12-02T00:00:00.000Z"',
    );
    expect(body.post_filter).toEqual({ bool: { filter: [{ terms: { airline: ['BA'] } }] } });
    expect(Object.keys(body.aggs as object)).toEqual(['airline', 'stops', 'departureWindow']);
  });
});

describe('parseSearchResponse', () => {
  it('reads hits, total and facet buckets', () => {
    const doc = {
      flightId: 'BA1-20261201',
      airline: 'BA',
      flightNumber: 'BA1',
      origin: 'LHR',
      destination: 'JFK',
      departure: '2026-12-01T08:00:00.000Z',
      arrival: '2026-12-01T16:00:00.000Z',
      stops: 0,
    };
    const out = parseSearchResponse({
      hits: { total: { value: 1 }, hits: [{ _source: doc }] },
      aggregations: {
        airline: { buckets: [{ key: 'BA', doc_count: 1 }] },
        stops: {
          buckets: [
            { key: 1, doc_count: 2 },
            { key: 0, doc_count: 1 },
          ],
        },
        departureWindow: {
          buckets: [
            { key: 'evening', doc_count: 1 },
            { key: 'morning', doc_count: 2 },
          ],
        },
      },
    });
    expect(out.total).toBe(1);
    expect(out.docs[0]).toEqual(doc);
    expect(out.facets.stops.map((s) => s.value)).toEqual([0, 1]);
    expect(out.facets.departureWindow.map((s) => s.value)).toEqual(['morning', 'evening']);
  });
});
