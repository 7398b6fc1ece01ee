import { afterAll, describe, expect, it } from 'vitest';
import type { BookingResult, SearchResponse } from '../contracts.ts';
import { EDGE_URL, http, SEARCH_DAY, testPool, uniqueKey } from '../it-support.ts';

const pool = testPool();
afterAll(() => pool.end());

async function flightWithSeats(seats: number, offset: number): Promise<string> {
  const s = await http<SearchResponse>(
    'GET',
    `${EDGE_URL}/v1/search?origin=AMS&destination=MAD&date=${SEARCH_DAY}&limit=20`,
  );
  const flightId = s.body.results[offset % s.body.results.length]!.flightId;
  await pool.query('UPDATE inventory SET capacity = sold + $2, version = version + 1 WHERE flight_id = $1', [
    flightId,
    seats,
  ]);
  return flightId;
}

const book = (flightId: string, paymentToken = 'tok_ok', key = uniqueKey('it-book')) =>
  http<BookingResult>('POST', `${EDGE_URL}/v1/bookings`, {
    auth: true,
    idempotencyKey: key,
    body: { flightId, seats: 1, passenger: { name: 'Grace Hopper' }, paymentToken },
  });

const inventory = async (flightId: string) =>
  (
    await pool.query<{ capacity: number; sold: number }>(
      'SELECT capacity, sold FROM inventory WHERE flight_id = $1',
      [flightId],
    )
  ).rows[0]!;

describe('booking saga (seed 004)', () => {
  it('sells exactly 10 seats to 50 concurrent bookings', async () => {
    const flightId = await flightWithSeats(10, 0);
    const answers = await Promise.all(Array.from({ length: 50 }, () => book(flightId)));
    for (const a of answers) expect(a.status).toBe(200);
    const confirmed = answers.filter((a) => a.body.status === 'confirmed');
    expect(confirmed).toHaveLength(10);
    for (const c of confirmed) expect(c.body.pnr).toMatch(/^[A-Z0-9]{6}$/);
    expect(answers.filter((a) => a.body.status === 'failed').every((a) => a.body.reason === 'sold_out')).toBe(
      true,
    );
    const inv = await inventory(flightId);
    expect(inv.sold).toBe(inv.capacity);
  });

  it('compensates a failed payment by releasing the seats', async () => {
    const flightId = await flightWithSeats(3, 1);
    const before = await inventory(flightId);
    const key = uniqueKey('it-fail');
    const r = await book(flightId, 'fail', key);
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('failed');
    expect(r.body.compensations).toEqual(['release-seats']);
    expect((await inventory(flightId)).sold).toBe(before.sold);
    const again = await book(flightId, 'fail', key);
    expect(again.body).toEqual(r.body);
    const got = await http<BookingResult>('GET', `${EDGE_URL}/v1/bookings/${r.body.bookingId}`);
    expect(got.body).toEqual(r.body);
  });
});
