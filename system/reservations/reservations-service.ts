import { z } from 'zod';
import {
  GROUPS,
  IDEMPOTENCY_HEADER,
  type ProjectionLag,
  type ReservationAccepted,
  type ReservationView,
  ROUTES,
  TOPICS,
} from '../contracts.ts';
import { keepTrying, unavailable, withDeadline } from '../lib/background.ts';
import { kafkaFrom, pgFrom, redisFrom } from '../lib/clients.ts';
import { deterministicId } from '../lib/deterministic-id.ts';
import { HttpError, headerValue, parseInput } from '../lib/http-error.ts';
import { COMMITTING_CONSUMER_RETRY } from '../lib/kafka.ts';
import { reportedBreaker } from '../lib/metrics.ts';
import { RateLimiter } from '../lib/rate-limit.ts';
import { breakerRunner } from '../lib/redis.ts';
import { createGuard } from '../lib/request-guard.ts';
import type { RetryPolicy } from '../lib/retry.ts';
import type { ServiceContext, ServiceHandle } from '../lib/service-runtime.ts';
import { replayDlq } from './dlq-replay.ts';
import { createProjectorBatchHandler, projectionLag } from './projector.ts';
import {
  idempotencyKeySchema,
  type ReservationCommand,
  requestHash,
  reservationRequestSchema,
} from './reservation-command.ts';

const ACK_DEADLINE_MS = 10_000;
const IDEMPOTENCY_TTL_SEC = 24 * 3600;
const LOOKUP_RETRY: RetryPolicy = { maxRetries: 2, baseDelayMs: 50, maxDelayMs: 500, deadlineMs: 1_000 };
const idParam = z.object({ id: z.uuid('reservation id (UUID)') });
const idemKey = (key: string) => `idem:reservation:${key}`;

interface StoredAccept {
  hash: string;
  accepted: ReservationAccepted;
}

interface ReservationRow {
  reservation_id: string;
  idempotency_key: string;
  flight_id: string;
  seats: number;
  status: 'confirmed' | 'rejected';
  reason: string | null;
  kafka_partition: number;
  kafka_offset: string;
}

/**
 * reservations (seed 001, event-first): POST validates, produces the command (acks=all) and
 * answers 202 only after the broker acknowledged it; the projector (same process, group
 * `reservations-projector`) writes PostgreSQL. The reservation id is derived from the
 * Idempotency-Key, and a repeated key answers the original acceptance (Redis, then PostgreSQL).
 */
export async function startReservations(ctx: ServiceContext): Promise<ServiceHandle> {
  const { app, log, metrics, config } = ctx;
  const kafka = kafkaFrom(ctx);
  const producer = kafka.idempotentProducer();
  const consumer = kafka.consumer(GROUPS.projector, COMMITTING_CONSUMER_RETRY);
  const admin = kafka.admin();
  const pg = pgFrom(ctx, 10);
  const redis = redisFrom(ctx);
  const redisRun = breakerRunner(redis, reportedBreaker(metrics, log, 'redis'));
  const guard = createGuard(
    config.API_KEYS,
    new RateLimiter(redisRun, config.RATE_LIMIT_MAX, config.RATE_LIMIT_WINDOW_SEC),
    metrics,
  );
  const topic = TOPICS.reservationCommands;
  let stopped = false;

  void keepTrying(
    'kafka-producer',
    () => producer.connect(),
    log,
    () => stopped,
  );
  const handler = createProjectorBatchHandler({ consumer, dlqProducer: producer, pg, metrics, log });
  void keepTrying(
    'projector-consumer',
    () => consumer.run({ topics: [topic.name], fromBeginning: true, concurrency: 4, eachBatch: handler }),
    log,
    () => stopped,
  );

  const findByKey = async (key: string): Promise<ReservationAccepted | null> => {
    const r = await pg.query<ReservationRow>(
      'SELECT reservation_id, kafka_partition, kafka_offset FROM reservations WHERE idempotency_key = $1',
      [key],
      LOOKUP_RETRY,
    );
    const row = r.rows[0];
    return row
      ? {
          reservationId: row.reservation_id,
          status: 'accepted',
          partition: row.kafka_partition,
          offset: String(row.kafka_offset),
        }
      : null;
  };

  app.post(ROUTES.reservations, async (req, reply) => {
    await guard(req);
    const key = parseInput(
      idempotencyKeySchema,
      headerValue(req.headers[IDEMPOTENCY_HEADER]),
      'header.idempotency-key',
    );
    const body = parseInput(reservationRequestSchema, req.body, 'body');
    const hash = requestHash(body);
    const reservationId = deterministicId('reservation', key);

    const stored = await redisRun((r) => r.get(idemKey(key)))
      .then((v) => (v ? (JSON.parse(v) as StoredAccept) : null))
      .catch(() => null);
    if (stored) {
      if (stored.hash !== hash)
        throw new HttpError(422, 'idempotency_conflict', 'Idempotency-Key was used with a different request');
      return reply.code(202).header('idempotent-replay', 'true').send(stored.accepted);
    }
    const projected = await findByKey(key).catch(() => null);
    if (projected) return reply.code(202).header('idempotent-replay', 'true').send(projected);

    const command: ReservationCommand = {
      type: 'reserve',
      reservationId,
      idempotencyKey: key,
      flightId: body.flightId,
      seats: body.seats,
      passenger: body.passenger,
      requestedAt: new Date().toISOString(),
    };
    let ack: Awaited<ReturnType<typeof producer.send>>;
    try {
      ack = await withDeadline(
        producer.send(topic.name, topic.partitions, {
          key: body.flightId,
          value: JSON.stringify(command),
          headers: { 'x-correlation-id': req.id, 'idempotency-key': key },
        }),
        ACK_DEADLINE_MS,
        'reservation command',
      );
    } catch (err) {
      throw unavailable(err, 'reservations.commands unavailable');
    }
    const accepted: ReservationAccepted = {
      reservationId,
      status: 'accepted',
      partition: ack.partition,
      offset: ack.offset,
    };
    await redisRun((r) =>
      r.set(
        idemKey(key),
        JSON.stringify({ hash, accepted } satisfies StoredAccept),
        'EX',
        IDEMPOTENCY_TTL_SEC,
        'NX',
      ),
    ).catch((err: unknown) => log.debug({ err: String(err) }, 'idempotency record not stored'));
    metrics.messages.inc({ topic: topic.name, outcome: 'produced' });
    return reply.code(202).send(accepted);
  });

  app.get(ROUTES.reservation, async (req, reply) => {
    const { id } = parseInput(idParam, req.params, 'params');
    const r = await pg.query<ReservationRow>(
      'SELECT reservation_id, idempotency_key, flight_id, seats, status, reason FROM reservations WHERE reservation_id = $1',
      [id],
      LOOKUP_RETRY,
    );
    const row = r.rows[0];
    if (!row) return reply.code(404).send({ error: 'not_found', reason: 'reservation not (yet) projected' });
    const view: ReservationView = {
      reservationId: row.reservation_id,
      idempotencyKey: row.idempotency_key,
      flightId: row.flight_id,
      seats: row.seats,
      status: row.status,
      ...(row.reason ? { reason: row.reason } : {}),
    };
    return view;
  });

  const firstSeen = new Map<number, number>();
  app.get(ROUTES.reservationProjection, async (): Promise<ProjectionLag> => {
    const [high, committed, state] = await Promise.all([
      admin.highWatermarks(topic.name),
      admin.committed(GROUPS.projector, topic.name),
      pg.query<{ partition: number; projected_at: Date }>(
        'SELECT partition, projected_at FROM projector_state WHERE topic = $1',
        [topic.name],
        LOOKUP_RETRY,
      ),
    ]).catch((err: unknown) => {
      throw unavailable(err, 'projection lag unavailable');
    });
    const at = new Map(state.rows.map((r) => [r.partition, r.projected_at.getTime()]));
    const parts = [...high].map(([partition, h]) => ({
      partition,
      high: h,
      committed: committed.get(partition) ?? -1n,
      projectedAt: at.get(partition) ?? null,
    }));
    return projectionLag(parts, firstSeen, Date.now());
  });

  let replaying: Promise<{ replayed: number; complete: boolean }> | null = null;
  app.post(ROUTES.reservationDlqReplay, async (req) => {
    await guard(req);
    replaying ??= replayDlq(kafka, admin, producer).finally(() => {
      replaying = null;
    });
    try {
      return await replaying;
    } catch (err) {
      throw unavailable(err, 'DLQ replay failed');
    }
  });

  return {
    ready: {
      kafka: async () => {
        if (!producer.isConnected()) throw new Error('producer not connected');
        await admin.listTopics();
      },
      postgres: () => pg.ping(),
    },
    // Event-first: accepting reservations needs only Kafka; PostgreSQL is reported, not required.
    readyWhen: (ok) => ok.kafka === true,
    stopIntake: async () => {
      stopped = true;
      await consumer.stop();
    },
    close: async () => {
      await consumer.disconnect();
      await producer.disconnect().catch(() => undefined);
      await Promise.allSettled([admin.disconnect(), pg.end(), redis.quit()]);
    },
  };
}
