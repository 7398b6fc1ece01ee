import { z } from 'zod';
import { type BookingResult, IDEMPOTENCY_HEADER, ROUTES, TOPICS } from '../contracts.ts';
import { keepTrying } from '../lib/background.ts';
import { kafkaFrom, pgFrom, redisFrom } from '../lib/clients.ts';
import { deterministicId } from '../lib/deterministic-id.ts';
import { HttpError, headerValue, parseInput } from '../lib/http-error.ts';
import { reportedBreaker } from '../lib/metrics.ts';
import { RateLimiter } from '../lib/rate-limit.ts';
import { breakerRunner } from '../lib/redis.ts';
import { createGuard } from '../lib/request-guard.ts';
import { RETRY_API, retry, sleep } from '../lib/retry.ts';
import type { ServiceContext, ServiceHandle } from '../lib/service-runtime.ts';
import { releaseSeats, takeSeats } from '../reservations/inventory.ts';
import { idempotencyKeySchema, passengerSchema } from '../reservations/reservation-command.ts';
import { AirlineGateway, PaymentGateway, pnrFor } from './gateways.ts';
import { type Compensation, runSaga, type SagaState } from './saga.ts';

const bookingRequestSchema = z
  .object({
    flightId: z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, 'flight id'),
    seats: z.number().int().min(1).max(9),
    passenger: passengerSchema,
    paymentToken: z.string().min(1).max(200),
  })
  .strict();
const idParam = z.object({ id: z.uuid('booking id (UUID)') });
const AIRLINE_CACHE_TTL_SEC = 6 * 3600;
/** A saga not finished after this long is treated as abandoned and compensated by the sweeper. */
const ABANDONED_AFTER_SEC = 60;

interface BookingRow {
  booking_id: string;
  state: SagaState;
  status: 'confirmed' | 'failed' | null;
  pnr: string | null;
  reason: string | null;
  payment_id: string | null;
  flight_id: string;
  seats: number;
  compensations: string[] | null;
}

function toResult(r: BookingRow): BookingResult {
  return {
    bookingId: r.booking_id,
    status: r.status === 'confirmed' ? 'confirmed' : 'failed',
    ...(r.pnr ? { pnr: r.pnr } : {}),
    ...(r.reason ? { reason: r.reason } : {}),
    ...(r.status === 'failed' ? { compensations: r.compensations ?? [] } : {}),
  };
}

/**
 * booking (seed 004): POST /v1/bookings runs the saga synchronously and answers 200 with the
 * outcome; the saga state lives in PostgreSQL `bookings`, so a retry with the same
 * Idempotency-Key returns the recorded outcome and a crashed saga is compensated by the sweeper.
 */
export async function startBooking(ctx: ServiceContext): Promise<ServiceHandle> {
  const { app, log, metrics, config } = ctx;
  const pg = pgFrom(ctx, 20);
  const redis = redisFrom(ctx);
  const redisRun = breakerRunner(redis, reportedBreaker(metrics, log, 'redis'));
  const kafka = kafkaFrom(ctx);
  const events = kafka.idempotentProducer();
  const guard = createGuard(
    config.API_KEYS,
    new RateLimiter(redisRun, config.RATE_LIMIT_MAX, config.RATE_LIMIT_WINDOW_SEC),
    metrics,
  );
  const payment = new PaymentGateway(config.PAYMENT_FAILURE_RATE, config.PAYMENT_LATENCY_MS);
  const airline = new AirlineGateway(config.AIRLINE_FAILURE_RATE, config.AIRLINE_LATENCY_MS);
  const airlineBreaker = reportedBreaker(metrics, log, 'airline');
  let stopped = false;
  void keepTrying(
    'kafka-producer',
    () => events.connect(),
    log,
    () => stopped,
  );

  const emit = (bookingId: string, type: string, detail: Record<string, unknown> = {}) => {
    if (!events.isConnected()) return;
    const t = TOPICS.bookingEvents;
    events
      .send(t.name, t.partitions, {
        key: bookingId,
        value: JSON.stringify({ type, bookingId, at: new Date().toISOString(), ...detail }),
      })
      .catch((err: unknown) => log.warn({ err: String(err), type }, 'booking event not published'));
  };

  const persist =
    (bookingId: string) =>
    async (state: SagaState, d: { reason?: string; compensations?: Compensation[] }) => {
      const status = state === 'confirmed' ? 'confirmed' : state === 'failed' ? 'failed' : null;
      await pg.query(
        `UPDATE bookings SET state = $2, status = coalesce($3, status), reason = coalesce($4, reason),
         compensations = coalesce($5, compensations), updated_at = now() WHERE booking_id = $1`,
        [bookingId, state, status, d.reason ?? null, d.compensations ?? null],
      );
      emit(bookingId, `booking.${state}`, d.reason ? { reason: d.reason } : {});
    };

  /** Idempotent seat release: recorded in `compensations` in the same transaction. */
  const release = (bookingId: string, flightId: string, seats: number) =>
    pg.tx(async (c) => {
      const mark = await c.query(
        `UPDATE bookings SET compensations = array_append(coalesce(compensations, '{}'), 'release-seats')
         WHERE booking_id = $1 AND NOT ('release-seats' = ANY(coalesce(compensations, '{}')))`,
        [bookingId],
      );
      if (mark.rowCount === 1) await releaseSeats(c, flightId, seats);
    });

  const retryForever = async (c: Compensation, run: () => Promise<void>) => {
    await retry({ ...RETRY_API, maxRetries: 8, deadlineMs: 60_000 }, run, {
      onRetry: (attempt, _d, err) =>
        log.warn({ compensation: c, attempt, err: String(err) }, 'compensation retry'),
    });
  };

  const confirmWithAirline = async (bookingId: string, flightId: string, seats: number) => {
    try {
      const r = await airlineBreaker.run(() => airline.confirm(bookingId, flightId, seats));
      void redisRun((c) =>
        c.set(`airline:flight:${flightId}`, r.flightStatus, 'EX', AIRLINE_CACHE_TTL_SEC),
      ).catch(() => undefined);
      return { ok: true as const, pnr: r.pnr, provisional: false };
    } catch (err) {
      // Fallback (seed 004): the airline's last known status of the flight from the cache.
      const cached = await redisRun((c) => c.get(`airline:flight:${flightId}`)).catch(() => null);
      if (cached === 'scheduled') {
        metrics.degraded.inc({ reason: 'airline-cache-fallback' });
        emit(bookingId, 'booking.airline-confirmation-pending', { error: String(err) });
        return { ok: true as const, pnr: pnrFor(bookingId), provisional: true };
      }
      return {
        ok: false as const,
        reason: `airline confirmation failed: ${err instanceof Error ? err.message : String(err)}`,
      };
    }
  };

  const execute = async (
    bookingId: string,
    flightId: string,
    seats: number,
    token: string,
  ): Promise<void> => {
    let paymentId: string | null = null;
    await runSaga({
      steps: {
        'reserve-seats': async () => {
          const r = await pg.tx(async (c) => {
            const s = await takeSeats(c, flightId, seats);
            if (s.ok)
              await c.query(
                `UPDATE bookings SET state = 'seats_reserved', updated_at = now() WHERE booking_id = $1`,
                [bookingId],
              );
            return s;
          });
          return r.ok ? { ok: true } : { ok: false, reason: r.reason };
        },
        'charge-payment': async () => {
          const price = await pg.query<{ amount_eur: string }>(
            'SELECT amount_eur FROM flight_prices WHERE flight_id = $1',
            [flightId],
          );
          const amount = Number(price.rows[0]?.amount_eur ?? 0) * seats;
          const r = await payment.charge(bookingId, amount, token);
          if (!r.ok) return r;
          paymentId = r.paymentId;
          await pg.query('UPDATE bookings SET payment_id = $2 WHERE booking_id = $1', [
            bookingId,
            r.paymentId,
          ]);
          return { ok: true };
        },
        'confirm-airline': async () => {
          const r = await confirmWithAirline(bookingId, flightId, seats);
          if (!r.ok) return r;
          await pg.query('UPDATE bookings SET pnr = $2 WHERE booking_id = $1', [bookingId, r.pnr]);
          return { ok: true };
        },
      },
      compensations: {
        'refund-payment': async () => {
          if (paymentId) await payment.refund(paymentId);
        },
        'release-seats': () => release(bookingId, flightId, seats),
      },
      persist: persist(bookingId),
      retryCompensation: retryForever,
    });
  };

  const load = async (bookingId: string) =>
    (
      await pg.query<BookingRow>(
        'SELECT booking_id, state, status, pnr, reason, payment_id, flight_id, seats, compensations FROM bookings WHERE booking_id = $1',
        [bookingId],
      )
    ).rows[0];

  app.post(ROUTES.bookings, async (req, reply) => {
    await guard(req);
    const key = parseInput(
      idempotencyKeySchema,
      headerValue(req.headers[IDEMPOTENCY_HEADER]),
      'header.idempotency-key',
    );
    const body = parseInput(bookingRequestSchema, req.body, 'body');
    const bookingId = deterministicId('booking', key);
    const ins = await pg.query(
      `INSERT INTO bookings (booking_id, idempotency_key, flight_id, seats, passenger_name, state)
       VALUES ($1, $2, $3, $4, $5, 'started') ON CONFLICT DO NOTHING`,
      [bookingId, key, body.flightId, body.seats, body.passenger.name],
    );
    if (ins.rowCount !== 1) {
      const existing = await load(bookingId);
      if (!existing) throw new HttpError(409, 'conflict', 'Idempotency-Key already used');
      if (existing.flight_id !== body.flightId || existing.seats !== body.seats) {
        throw new HttpError(422, 'idempotency_conflict', 'Idempotency-Key was used with a different request');
      }
      if (existing.status === null)
        throw new HttpError(409, 'in_progress', `booking ${bookingId} is still in progress`);
      return reply.header('idempotent-replay', 'true').send(toResult(existing));
    }
    await execute(bookingId, body.flightId, body.seats, body.paymentToken);
    const row = await load(bookingId);
    if (!row) throw new Error(`booking ${bookingId} vanished`);
    return toResult(row);
  });

  app.get(ROUTES.booking, async (req, reply) => {
    const { id } = parseInput(idParam, req.params, 'params');
    const row = await load(id);
    if (!row) return reply.code(404).send({ error: 'not_found', reason: `no booking ${id}` });
    if (row.status === null) return reply.code(202).send({ bookingId: id, state: row.state });
    return toResult(row);
  });

  /** Compensates sagas abandoned mid-way (process crash): claim by bumping updated_at. */
  const sweep = async () => {
    const stale = await pg.query<BookingRow>(
      `UPDATE bookings SET updated_at = now() WHERE booking_id IN (
         SELECT booking_id FROM bookings WHERE status IS NULL AND updated_at < now() - make_interval(secs => $1)
         ORDER BY updated_at LIMIT 20 FOR UPDATE SKIP LOCKED)
       RETURNING booking_id, state, status, pnr, reason, payment_id, flight_id, seats, compensations`,
      [ABANDONED_AFTER_SEC],
    );
    for (const b of stale.rows) {
      const comps: Compensation[] = [];
      if (b.payment_id) {
        await payment.refund(b.payment_id);
        comps.push('refund-payment');
      }
      if (b.state !== 'started') {
        await release(b.booking_id, b.flight_id, b.seats);
        comps.push('release-seats');
      }
      await persist(b.booking_id)('failed', { reason: 'abandoned saga compensated', compensations: comps });
      log.warn({ bookingId: b.booking_id, state: b.state }, 'abandoned saga compensated');
    }
  };
  const sweeper = (async () => {
    while (!stopped) {
      await sleep(15_000);
      if (stopped) break;
      await sweep().catch((err: unknown) => log.debug({ err: String(err) }, 'sweep failed'));
    }
  })();

  return {
    ready: {
      postgres: () => pg.ping(),
      redis: () => redis.ping(),
    },
    // Bookings need PostgreSQL; Redis only backs rate limits and the airline cache (fail open).
    readyWhen: (ok) => ok.postgres === true,
    stopIntake: async () => {
      stopped = true;
    },
    close: async () => {
      await events.disconnect().catch(() => undefined);
      void sweeper;
      await Promise.allSettled([pg.end(), redis.quit()]);
    },
  };
}
