import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';

/**
 * A tiny stand-in for the edge and an ingest instance, speaking the routes of
 * system/contracts.ts. For tests, fixture recording and the bench only — never the system under
 * test. Binds 127.0.0.1 on an ephemeral port unless told otherwise.
 */
export interface FakeEdge {
  url: string;
  app: FastifyInstance;
  /** Reservations accepted, by idempotency key. */
  reservations: Map<string, { reservationId: string; flightId: string; seats: number }>;
  /** Highest fare version pushed, by `supplier:offerId`. */
  fares: Map<string, number>;
  /** Last `ratePerSec` posted to /v1/admin/feed-rate. */
  feedRate: number | null;
  close(): Promise<void>;
}

export interface FakeEdgeOptions {
  port?: number;
  /** Added latency per request in ms (a fixed delay). */
  delayMs?: number;
  /** API key accepted on reservation/booking routes. */
  apiKey?: string;
  /** When set, every request to a path matching it answers 503. */
  failPath?: RegExp;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function startFakeEdge(opts: FakeEdgeOptions = {}): Promise<FakeEdge> {
  const app = Fastify({ logger: false, keepAliveTimeout: 30_000 });
  const apiKey = opts.apiKey ?? 'ws-local-key';
  const state: FakeEdge = {
    url: '',
    app,
    reservations: new Map(),
    fares: new Map(),
    feedRate: null,
    close: () => app.close(),
  };
  const byId = new Map<string, string>();

  app.addHook('onRequest', async (req, reply) => {
    if (opts.delayMs) await sleep(opts.delayMs);
    if (opts.failPath?.test(req.url)) return reply.code(503).send({ error: 'unavailable' });
  });
  const authed = (h: string | undefined) => h === `Bearer ${apiKey}`;

  app.get('/v1/search', async (req) => {
    const q = req.query as Record<string, string | undefined>;
    const results = [1, 2, 3].map((n) => ({
      flightId: `${q.origin ?? 'XXX'}-${q.destination ?? 'YYY'}-${q.date ?? 'D'}-${n}`,
      airline: 'WS',
      flightNumber: `WS${n}`,
      origin: q.origin ?? 'XXX',
      destination: q.destination ?? 'YYY',
      departure: `${q.date ?? '2026-12-01'}T0${n}:00:00Z`,
      arrival: `${q.date ?? '2026-12-01'}T1${n}:00:00Z`,
      stops: 0,
      price: { amount: 100 + n, currency: 'EUR', version: 1, source: 'store' },
    }));
    return { results, facets: { airline: [], stops: [], departureWindow: [] }, total: 3, degraded: false };
  });
  app.get('/v1/flights/:id/price', async (req) => {
    const { id } = req.params as { id: string };
    return { flightId: id, amount: 101, currency: 'EUR', version: 1, source: 'cache', degraded: false };
  });
  app.post('/v1/reservations', async (req, reply) => {
    if (!authed(req.headers.authorization)) return reply.code(401).send({ error: 'unauthorized' });
    const key = req.headers['idempotency-key'];
    if (typeof key !== 'string') return reply.code(400).send({ error: 'idempotency-key required' });
    const body = req.body as { flightId?: string; seats?: number };
    let r = state.reservations.get(key);
    if (!r) {
      r = { reservationId: randomUUID(), flightId: body.flightId ?? '', seats: body.seats ?? 1 };
      state.reservations.set(key, r);
      byId.set(r.reservationId, key);
    }
    return reply
      .code(202)
      .send({ reservationId: r.reservationId, status: 'accepted', partition: 0, offset: '0' });
  });
  app.get('/v1/reservations/:id', async (req, reply) => {
    const { id } = req.params as { id: string };
    const key = byId.get(id);
    const r = key ? state.reservations.get(key) : undefined;
    if (!key || !r) return reply.code(404).send({ error: 'not found' });
    return {
      reservationId: id,
      idempotencyKey: key,
      flightId: r.flightId,
      seats: r.seats,
      status: 'confirmed',
    };
  });
  app.post('/v1/bookings', async (req, reply) => {
    if (!authed(req.headers.authorization)) return reply.code(401).send({ error: 'unauthorized' });
    return { bookingId: randomUUID(), status: 'confirmed', pnr: 'ABC123' };
  });
  app.post('/v1/suppliers/:supplier/fares', async (req, reply) => {
    const { supplier } = req.params as { supplier: string };
    const body = req.body as { offerId?: string; version?: number };
    const k = `${supplier}:${body.offerId ?? ''}`;
    state.fares.set(k, Math.max(state.fares.get(k) ?? 0, body.version ?? 0));
    return reply.code(202).send({ accepted: true });
  });
  app.post('/v1/admin/feed-rate', async (req, reply) => {
    const body = req.body as { ratePerSec?: number };
    if (typeof body.ratePerSec !== 'number') return reply.code(400).send({ error: 'ratePerSec' });
    state.feedRate = body.ratePerSec;
    return { ratePerSec: body.ratePerSec };
  });

  state.url = await app.listen({ host: '127.0.0.1', port: opts.port ?? 0 });
  return state;
}
