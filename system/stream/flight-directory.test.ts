import { describe, expect, it } from 'vitest';
import { FlightDirectory, type FlightRow } from './flight-directory.ts';

const catalogue: FlightRow[] = [
  { flightId: 'F1', airline: 'AA', origin: 'LHR', destination: 'JFK' },
  { flightId: 'F2', airline: 'BA', origin: 'CDG', destination: 'FRA' },
];

function directory(rows: FlightRow[]) {
  const asked: (string[] | null)[] = [];
  const d = new FlightDirectory(async (ids) => {
    asked.push(ids);
    return ids === null ? rows : rows.filter((r) => ids.includes(r.flightId));
  }, 1_000);
  return { d, asked };
}

describe('FlightDirectory', () => {
  it('answers from the preload without asking again', async () => {
    const { d, asked } = directory(catalogue);
    await d.preload();
    await d.resolve(['F1', 'F2', 'F1']);
    expect(asked).toEqual([null]);
    expect(d.get('F2')).toEqual({ airline: 'BA', origin: 'CDG', destination: 'FRA' });
  });

  it('looks up what it does not know once per batch, and asks again for an unknown id after the ttl', async () => {
    const rows = [...catalogue];
    const { d, asked } = directory(rows);
    await d.resolve(['F1', 'F9', 'F9'], 0);
    expect(asked).toEqual([['F1', 'F9']]);
    expect(d.get('F9')).toBeNull();
    await d.resolve(['F1', 'F9'], 500);
    expect(asked).toHaveLength(1);
    rows.push({ flightId: 'F9', airline: 'LH', origin: 'AMS', destination: 'MAD' });
    await d.resolve(['F9'], 1_500);
    expect(asked).toEqual([['F1', 'F9'], ['F9']]);
    expect(d.get('F9')?.airline).toBe('LH');
  });
});
