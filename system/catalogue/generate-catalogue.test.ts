import { describe, expect, it } from 'vitest';
import { generateCatalogue } from './generate-catalogue.ts';

describe('generateCatalogue', () => {
  const cat = generateCatalogue({ seed: 42 });

  it('is deterministic per seed', () => {
    const again = generateCatalogue({ seed: 42 });
    expect(again.flights.length).toBe(cat.flights.length);
    expect(again.fares[123]).toEqual(cat.fares[123]);
    expect(generateCatalogue({ seed: 7 }).fares[123]).not.toEqual(cat.fares[123]);
  });

  it('has tens of thousands of flights over a month with unique ids', () => {
    expect(cat.flights.length).toBeGreaterThan(20_000);
    expect(new Set(cat.flights.map((f) => f.flightId)).size).toBe(cat.flights.length);
    const days = new Set(cat.flights.map((f) => f.departure.slice(0, 10)));
    expect(days.size).toBe(30);
    expect([...days].sort()[0]).toBe('2026-12-01');
  });

  it('always serves LHR-JFK on every day, several times', () => {
    const day1 = cat.flights.filter(
      (f) => f.origin === 'LHR' && f.destination === 'JFK' && f.departure.startsWith('2026-12-01'),
    );
    expect(day1.length).toBe(12);
  });

  it('gives every flight at least one fare with unique (supplier, offer) and positive EUR value', () => {
    const withFare = new Set(cat.fares.map((f) => f.flightId));
    expect(withFare.size).toBe(cat.flights.length);
    expect(new Set(cat.fares.map((f) => `${f.supplier}:${f.offerId}`)).size).toBe(cat.fares.length);
    for (const f of cat.fares.slice(0, 500)) expect(f.amountEur).toBeGreaterThan(0);
  });

  it('keeps arrivals after departures and stops in 0..2', () => {
    for (const f of cat.flights.slice(0, 2000)) {
      expect(Date.parse(f.arrival)).toBeGreaterThan(Date.parse(f.departure));
      expect([0, 1, 2]).toContain(f.stops);
    }
  });
});
