import { afterAll, describe, expect, it } from 'vitest';
import { testPool, uniqueKey } from '../it-support.ts';
import type { NormalizedFare } from './normalize.ts';
import { sinkToPostgres } from './sinks.ts';

const pool = testPool();
afterAll(() => pool.end());

const fare = (flightId: string, offerId: string, amount: number, version: number): NormalizedFare => ({
  supplier: 'windshear-it-sink',
  offerId,
  flightId,
  amount,
  currency: 'EUR',
  amountEur: amount,
  version,
  eventTime: new Date().toISOString(),
  seatsAvailable: 3,
  airline: 'XX',
  origin: 'LHR',
  destination: 'JFK',
  anomaly: null,
  normalizedAt: new Date().toISOString(),
});

describe('sinkToPostgres (db/schema.sql sink_fares, one round trip)', () => {
  it("returns each batch's changed best prices, and a replay or an older version changes nothing", async () => {
    const r = await pool.query<{ flight_id: string; amount_eur: string }>(
      'SELECT flight_id, amount_eur FROM flight_prices ORDER BY flight_id LIMIT 2',
    );
    const [a, b] = r.rows;
    if (!a || !b) throw new Error('no flight prices: the catalogue is not loaded');
    // Below each flight's best price, so both become the best.
    const cheapA = Math.max(0.01, Math.floor(Number(a.amount_eur) * 50) / 100);
    const cheapB = Math.max(0.01, Math.floor(Number(b.amount_eur) * 50) / 100);
    const offerA = uniqueKey('sink-a');
    const version = Date.now();
    const batches = [
      [fare(a.flight_id, offerA, cheapA, version)],
      [fare(b.flight_id, uniqueKey('sink-b'), cheapB, version)],
    ];

    const first = await sinkToPostgres(pool, batches);
    expect(first.map((changes) => changes.map((c) => [c.flightId, c.amountEur]))).toEqual([
      [[a.flight_id, cheapA]],
      [[b.flight_id, cheapB]],
    ]);
    const revision = first[0]![0]!.revision;

    // The same batches again: the version guard keeps the fares, so no best price moves.
    expect(await sinkToPostgres(pool, batches)).toEqual([[], []]);
    // An older version of offer A with a lower price is ignored.
    expect(await sinkToPostgres(pool, [[fare(a.flight_id, offerA, cheapA / 2, version - 1)]])).toEqual([[]]);
    // A newer version raises it back above the old best: the flight's best moves to the next fare.
    const raised = await sinkToPostgres(pool, [
      [fare(a.flight_id, offerA, Number(a.amount_eur) * 4, version + 1)],
    ]);
    expect(raised[0]).toHaveLength(1);
    expect(raised[0]![0]!.amountEur).toBe(Number(a.amount_eur));
    expect(raised[0]![0]!.revision).toBe(revision + 1);

    const stored = await pool.query<{ version: string; amount_eur: string }>(
      'SELECT version, amount_eur FROM fares WHERE supplier = $1 AND offer_id = $2',
      ['windshear-it-sink', offerA],
    );
    expect(stored.rows).toEqual([
      { version: String(version + 1), amount_eur: (Number(a.amount_eur) * 4).toFixed(2) },
    ]);
  });
});
