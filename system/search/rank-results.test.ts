import { describe, expect, it } from 'vitest';
import { type Rankable, rankResults } from './rank-results.ts';

function r(id: string, price: number | null, depHour: number, durH: number, stops = 0): Rankable {
  const dep = Date.UTC(2026, 11, 1, depHour);
  return {
    flightId: id,
    airline: 'BA',
    flightNumber: id,
    origin: 'LHR',
    destination: 'JFK',
    departure: new Date(dep).toISOString(),
    arrival: new Date(dep + durH * 3_600_000).toISOString(),
    stops,
    price: price === null ? null : { amount: price, currency: 'EUR', version: 1, source: 'cache' },
    priceEur: price,
  };
}

describe('rankResults', () => {
  it('puts the cheaper of equal flights first and unpriced flights last', () => {
    const out = rankResults([r('none', null, 1, 7), r('dear', 500, 2, 7), r('cheap', 300, 3, 7)]);
    expect(out.map((x) => x.flightId)).toEqual(['cheap', 'dear', 'none']);
  });

  it('trades price against duration and stops', () => {
    // 10% cheaper but twice as long with two stops loses.
    const out = rankResults([r('slow', 270, 1, 14, 2), r('fast', 300, 2, 7, 0)]);
    expect(out[0]!.flightId).toBe('fast');
  });

  it('breaks ties by departure time', () => {
    const out = rankResults([r('late', 300, 9, 7), r('early', 300, 6, 7)]);
    expect(out.map((x) => x.flightId)).toEqual(['early', 'late']);
  });

  it('orders unpriced results by departure', () => {
    const out = rankResults([r('b', null, 9, 7), r('a', null, 6, 7)]);
    expect(out.map((x) => x.flightId)).toEqual(['a', 'b']);
  });
});
