import { afterAll, describe, expect, it } from 'vitest';
import type { ProjectionLag, ReservationAccepted, ReservationView, SearchResponse } from '../contracts.ts';
import { EDGE_URL, eventually, http, SEARCH_DAY, testPool, uniqueKey } from '../it-support.ts';

const pool = testPool();
afterAll(() => pool.end());

async function someFlight(): Promise<string> {
  const s = await http<SearchResponse>(
    'GET',
    `${EDGE_URL}/v1/search?origin=CDG&destination=FRA&date=${SEARCH_DAY}&limit=1`,
  );
  return s.body.results[0]!.flightId;
}

const reserve = (key: string, flightId: string) =>
  http<ReservationAccepted>('POST', `${EDGE_URL}/v1/reservations`, {
    auth: true,
    idempotencyKey: key,
    body: { flightId, seats: 1, passenger: { name: 'Ada Lovelace' } },
  });

describe('reservations (seed 001, event-first)', () => {
  it('acknowledges with partition and offset, then projects the reservation', async () => {
    const flightId = await someFlight();
    const r = await reserve(uniqueKey('it-res'), flightId);
    expect(r.status).toBe(202);
    expect(r.body.status).toBe('accepted');
    expect(r.body.partition).toBeGreaterThanOrEqual(0);
    expect(BigInt(r.body.offset)).toBeGreaterThanOrEqual(0n);
    const view = await eventually(
      async () => {
        const g = await http<ReservationView>('GET', `${EDGE_URL}/v1/reservations/${r.body.reservationId}`);
        return g.status === 200 ? g.body : undefined;
      },
      30_000,
      'reservation projected',
    );
    expect(view).toMatchObject({
      reservationId: r.body.reservationId,
      flightId,
      seats: 1,
      status: 'confirmed',
    });
    const lag = await http<ProjectionLag>('GET', `${EDGE_URL}/v1/monitoring/reservations/projection`);
    expect(lag.status).toBe(200);
    expect(lag.body.lagOffsets).toBeGreaterThanOrEqual(0);
    expect(lag.body.lastProjectedAt).not.toBeNull();
  });

  it('gives one reservation for a retried Idempotency-Key', async () => {
    const flightId = await someFlight();
    const key = uniqueKey('it-retry');
    const answers = await Promise.all(Array.from({ length: 5 }, () => reserve(key, flightId)));
    const again = await reserve(key, flightId);
    for (const a of [...answers, again]) expect(a.status).toBe(202);
    const ids = new Set([...answers, again].map((a) => a.body.reservationId));
    expect(ids.size).toBe(1);
    const id = [...ids][0]!;
    await eventually(
      async () =>
        (await http('GET', `${EDGE_URL}/v1/reservations/${id}`)).status === 200 ? true : undefined,
      30_000,
      'reservation projected',
    );
    const rows = await pool.query<{ n: string }>(
      'SELECT count(*) AS n FROM reservations WHERE idempotency_key = $1',
      [key],
    );
    expect(rows.rows[0]!.n).toBe('1');
    const conflict = await http('POST', `${EDGE_URL}/v1/reservations`, {
      auth: true,
      idempotencyKey: key,
      body: { flightId, seats: 2, passenger: { name: 'Ada Lovelace' } },
    });
    expect(conflict.status).toBe(422);
  });

  it('refuses requests without a valid API key', async () => {
    const r = await http('POST', `${EDGE_URL}/v1/reservations`, {
      idempotencyKey: uniqueKey('it-noauth'),
      body: { flightId: 'x', seats: 1, passenger: { name: 'A' } },
    });
    expect(r.status).toBe(401);
  });
});
