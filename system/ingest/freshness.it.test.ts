import { afterAll, describe, expect, it } from 'vitest';
import type { FareUpdate, PriceResponse, SearchResponse } from '../contracts.ts';
import { EDGE_URL, eventually, http, INGEST_URL, SEARCH_DAY, testPool, uniqueKey } from '../it-support.ts';
import { toEur } from '../lib/currency.ts';

const pool = testPool();
afterAll(() => pool.end());

describe('supplier update to search (seed 000: ingest lag < 30 s)', () => {
  it('makes a pushed fare searchable with the new price within 30 s, and a replay never regresses it', async () => {
    const s = await http<SearchResponse>(
      'GET',
      `${EDGE_URL}/v1/search?origin=LHR&destination=JFK&date=${SEARCH_DAY}&limit=1`,
    );
    const flight = s.body.results[0]!;
    // Half the flight's current best price (in EUR), so the new offer becomes its best price.
    const currentEur = toEur(flight.price!.amount, flight.price!.currency)!;
    const target = Math.max(0.01, Math.floor(currentEur * 50) / 100);
    const offerId = uniqueKey('it-offer');
    const update: FareUpdate = {
      supplier: 'windshear-it',
      offerId,
      flightId: flight.flightId,
      amount: target,
      currency: 'EUR',
      version: Date.now(),
      eventTime: new Date().toISOString(),
      seatsAvailable: 5,
    };
    const ack = await http<{ partition: number; offset: string }>(
      'POST',
      `${INGEST_URL}/v1/suppliers/windshear-it/fares`,
      {
        body: update,
      },
    );
    expect(ack.status).toBe(202);
    expect(ack.body.partition).toBeGreaterThanOrEqual(0);
    const started = Date.now();
    await eventually(
      async () => {
        const r = await http<SearchResponse>(
          'GET',
          `${EDGE_URL}/v1/search?origin=LHR&destination=JFK&date=${SEARCH_DAY}&limit=50`,
        );
        const hit = r.body.results.find((x) => x.flightId === flight.flightId);
        return hit?.price?.amount === target ? hit : undefined;
      },
      30_000,
      'new price searchable',
    );
    expect(Date.now() - started).toBeLessThan(30_000);

    // Replay an older version with a lower price: the version guard must ignore it.
    const stale = {
      ...update,
      amount: Math.max(0.01, Math.floor(target * 25) / 100),
      version: update.version - 1,
    };
    expect(
      (await http('POST', `${INGEST_URL}/v1/suppliers/windshear-it/fares`, { body: stale })).status,
    ).toBe(202);
    const newer = {
      ...update,
      amount: Math.max(0.01, Math.floor(target * 90) / 100),
      version: update.version + 1,
    };
    expect(
      (await http('POST', `${INGEST_URL}/v1/suppliers/windshear-it/fares`, { body: newer })).status,
    ).toBe(202);
    const row = await eventually(
      async () => {
        const r = await pool.query<{ amount: string; version: string }>(
          'SELECT amount, version FROM fares WHERE supplier = $1 AND offer_id = $2',
          ['windshear-it', offerId],
        );
        return Number(r.rows[0]?.amount) === newer.amount ? r.rows[0] : undefined;
      },
      30_000,
      'newer version applied',
    );
    expect(Number(row.version)).toBe(newer.version);
    const p = await http<PriceResponse>('GET', `${EDGE_URL}/v1/flights/${flight.flightId}/price`);
    expect(p.body.amount).toBe(newer.amount);
  });
});
