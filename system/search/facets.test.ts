import { describe, expect, it } from 'vitest';
import { computeFacets, departureWindow, matchesFilters } from './facets.ts';

const f = (airline: string, stops: number, hhmm: string) => ({
  airline,
  stops,
  departure: `2026-12-01T${hhmm}:00.000Z`,
});

describe('departureWindow', () => {
  it('splits the day in four six-hour windows', () => {
    expect(departureWindow('2026-12-01T05:59:00Z')).toBe('night');
    expect(departureWindow('2026-12-01T06:00:00Z')).toBe('morning');
    expect(departureWindow('2026-12-01T12:00:00Z')).toBe('afternoon');
    expect(departureWindow('2026-12-01T23:59:00Z')).toBe('evening');
  });
});

describe('computeFacets', () => {
  it('counts airlines (most first), stops (ascending) and windows (day order)', () => {
    const facets = computeFacets([
      f('BA', 0, '07:00'),
      f('AA', 1, '19:00'),
      f('BA', 0, '01:00'),
      f('AA', 0, '08:00'),
      f('BA', 2, '09:00'),
    ]);
    expect(facets.airline).toEqual([
      { value: 'BA', count: 3 },
      { value: 'AA', count: 2 },
    ]);
    expect(facets.stops).toEqual([
      { value: 0, count: 3 },
      { value: 1, count: 1 },
      { value: 2, count: 1 },
    ]);
    expect(facets.departureWindow).toEqual([
      { value: 'night', count: 1 },
      { value: 'morning', count: 3 },
      { value: 'evening', count: 1 },
    ]);
  });
});

describe('matchesFilters', () => {
  it('applies airline, stops and departure bounds', () => {
    const x = f('BA', 1, '10:30');
    expect(matchesFilters(x, {})).toBe(true);
    expect(matchesFilters(x, { airlines: ['AA'] })).toBe(false);
    expect(matchesFilters(x, { stops: [0] })).toBe(false);
    expect(matchesFilters(x, { stops: [0, 1], airlines: ['BA'] })).toBe(true);
    expect(matchesFilters(x, { departAfterMin: 630 })).toBe(true);
    expect(matchesFilters(x, { departBeforeMin: 630 })).toBe(false);
  });
});
