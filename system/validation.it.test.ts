import { describe, expect, it } from 'vitest';
import { EDGE_URL, http, INGEST_URL, uniqueKey } from './it-support.ts';

interface ErrorBody {
  error: string;
  reason: string;
}

describe('bad requests get 400 with a reason', () => {
  const cases: [string, () => Promise<{ status: number; body: ErrorBody }>, RegExp][] = [
    [
      'search without date',
      () => http<ErrorBody>('GET', `${EDGE_URL}/v1/search?origin=LHR&destination=JFK`),
      /date/,
    ],
    [
      'search with bad airport',
      () => http<ErrorBody>('GET', `${EDGE_URL}/v1/search?origin=L&destination=JFK&date=2026-12-01`),
      /origin/,
    ],
    [
      'search with huge limit',
      () =>
        http<ErrorBody>('GET', `${EDGE_URL}/v1/search?origin=LHR&destination=JFK&date=2026-12-01&limit=5000`),
      /limit/,
    ],
    [
      'price with bad id',
      () => http<ErrorBody>('GET', `${EDGE_URL}/v1/flights/${encodeURIComponent('a b')}/price`),
      /id/,
    ],
    [
      'reservation without Idempotency-Key',
      () =>
        http<ErrorBody>('POST', `${EDGE_URL}/v1/reservations`, {
          auth: true,
          body: { flightId: 'F', seats: 1, passenger: { name: 'A' } },
        }),
      /idempotency-key/,
    ],
    [
      'reservation with zero seats',
      () =>
        http<ErrorBody>('POST', `${EDGE_URL}/v1/reservations`, {
          auth: true,
          idempotencyKey: uniqueKey('it-bad'),
          body: { flightId: 'F', seats: 0, passenger: { name: 'A' } },
        }),
      /seats/,
    ],
    [
      'reservation with malformed JSON',
      () =>
        http<ErrorBody>('POST', `${EDGE_URL}/v1/reservations`, {
          auth: true,
          idempotencyKey: uniqueKey('it-bad'),
          body: '{"flightId":',
        }),
      /JSON/i,
    ],
    [
      'booking without payment token',
      () =>
        http<ErrorBody>('POST', `${EDGE_URL}/v1/bookings`, {
          auth: true,
          idempotencyKey: uniqueKey('it-bad'),
          body: { flightId: 'F', seats: 1, passenger: { name: 'A' } },
        }),
      /paymentToken/,
    ],
    [
      'supplier push with negative amount',
      () =>
        http<ErrorBody>('POST', `${INGEST_URL}/v1/suppliers/x/fares`, {
          body: {
            supplier: 'x',
            offerId: 'o',
            flightId: 'f',
            amount: -1,
            currency: 'EUR',
            version: 1,
            eventTime: new Date().toISOString(),
          },
        }),
      /amount/,
    ],
  ];

  for (const [name, call, reason] of cases) {
    it(name, async () => {
      const r = await call();
      expect(r.status).toBe(400);
      expect(r.body.error).toBe('bad_request');
      expect(r.body.reason).toMatch(reason);
    });
  }
});
