import { describe, expect, it } from 'vitest';
import {
  isPriceJump,
  latestPerOffer,
  OfferState,
  parseFare,
  type RawRecord,
  transformBatch,
} from './normalize.ts';

const fare = (over: Record<string, unknown> = {}) => ({
  supplier: 'aerocsv',
  offerId: 'o1',
  flightId: 'BA1-20261201',
  amount: 100,
  currency: 'GBP',
  version: 10,
  eventTime: '2026-12-01T10:00:00.000Z',
  ...over,
});
const rec = (over: Record<string, unknown> = {}): RawRecord => ({
  key: 'k',
  value: JSON.stringify(fare(over)),
});
const flights = (id: string) =>
  id === 'BA1-20261201' ? { airline: 'BA', origin: 'LHR', destination: 'JFK' } : null;
const now = new Date('2026-12-01T10:00:01Z');

describe('parseFare', () => {
  it('canonicalises currency case and rounds to cents', () => {
    expect(parseFare(JSON.stringify(fare({ currency: ' gbp ', amount: 10.005 })))).toMatchObject({
      currency: 'GBP',
      amount: 10.01,
    });
  });

  it('returns null for malformed records', () => {
    expect(parseFare('not json')).toBeNull();
    expect(parseFare(null)).toBeNull();
    expect(parseFare(JSON.stringify(fare({ amount: -1 })))).toBeNull();
  });
});

describe('transformBatch', () => {
  it('enriches with route and EUR amount', () => {
    const r = transformBatch([rec()], new OfferState(), flights, now);
    expect(r.out[0]).toMatchObject({ airline: 'BA', origin: 'LHR', amountEur: 117, anomaly: null });
  });

  it('drops duplicates and older versions, within a batch and against committed state', () => {
    const state = new OfferState();
    const r = transformBatch(
      [rec({ version: 10 }), rec({ version: 10 }), rec({ version: 9 }), rec({ version: 11 })],
      state,
      flights,
      now,
    );
    expect(r.out.map((f) => f.version)).toEqual([10, 11]);
    expect(r.dropped.duplicate).toBe(2);
    // Nothing is remembered until the batch commits: a re-read after an abort is not a duplicate.
    expect(transformBatch([rec({ version: 11 })], state, flights, now).out).toHaveLength(1);
    state.apply(r.staged);
    expect(transformBatch([rec({ version: 11 })], state, flights, now).out).toHaveLength(0);
  });

  it('drops malformed records, unknown currencies and unknown flights', () => {
    const r = transformBatch(
      [{ key: null, value: '{' }, rec({ currency: 'XYZ' }), rec({ flightId: 'ZZ9-20261201' })],
      new OfferState(),
      flights,
      now,
    );
    expect(r.out).toHaveLength(0);
    expect(r.dropped).toEqual({ malformed: 1, 'unknown-currency': 1, 'unknown-flight': 1 });
  });

  it('flags a price jump against the previous price of the same offer', () => {
    const state = new OfferState();
    state.apply(transformBatch([rec({ version: 1, amount: 100 })], state, flights, now).staged);
    const r = transformBatch(
      [rec({ version: 2, amount: 250 }), rec({ version: 3, amount: 240 })],
      state,
      flights,
      now,
    );
    expect(r.out.map((f) => f.anomaly)).toEqual(['price-jump', null]);
  });
});

describe('isPriceJump', () => {
  it('flags moves beyond x2 or /2 only', () => {
    expect(isPriceJump(undefined, 5)).toBe(false);
    expect(isPriceJump(100, 199)).toBe(false);
    expect(isPriceJump(100, 201)).toBe(true);
    expect(isPriceJump(100, 49)).toBe(true);
  });
});

describe('latestPerOffer', () => {
  it('keeps the highest version per (supplier, offer)', () => {
    const a = fare({ version: 3 });
    const b = fare({ version: 5 });
    const c = fare({ offerId: 'o2', version: 1 });
    expect(latestPerOffer([a, b, c] as never[])).toEqual([b, c]);
  });
});
