import type { FastifyBaseLogger } from 'fastify';
import type { PoolClient } from 'pg';
import { GROUPS, TOPICS } from '../contracts.ts';
import type { BatchConsumer, BatchControl, BatchingProducer, InBatch, InMessage } from '../lib/kafka.ts';
import type { Metrics } from '../lib/metrics.ts';
import type { FailoverPool } from '../lib/pg-pool.ts';
import { sleep } from '../lib/retry.ts';
import { takeSeats } from './inventory.ts';
import { classifyCommand, type ReservationCommand } from './reservation-command.ts';

/** Writes one command's projection; a reservation id seen before is a no-op (at-least-once safe). */
async function project(
  c: PoolClient,
  cmd: ReservationCommand,
  partition: number,
  offset: string,
): Promise<void> {
  const ins = await c.query(
    `INSERT INTO reservations (reservation_id, idempotency_key, flight_id, seats, status, passenger_name, kafka_partition, kafka_offset, created_at)
     VALUES ($1, $2, $3, $4, 'confirmed', $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
    [
      cmd.reservationId,
      cmd.idempotencyKey,
      cmd.flightId,
      cmd.seats,
      cmd.passenger.name,
      partition,
      offset,
      cmd.requestedAt,
    ],
  );
  if (ins.rowCount !== 1) return;
  const seats = await takeSeats(c, cmd.flightId, cmd.seats);
  if (!seats.ok) {
    await c.query(`UPDATE reservations SET status = 'rejected', reason = $2 WHERE reservation_id = $1`, [
      cmd.reservationId,
      seats.reason,
    ]);
  }
}

export interface ProjectorDeps {
  consumer: BatchConsumer;
  dlqProducer: BatchingProducer;
  pg: FailoverPool;
  metrics: Metrics;
  log: FastifyBaseLogger;
}

/**
 * The `reservations-projector` group: commands to the PostgreSQL projection, one transaction per
 * batch (with projector_state), offsets committed to Kafka after the transaction. Poison records
 * go to `reservations.commands.dlq` (with the reason and origin in headers) and are skipped;
 * transient failures (PostgreSQL down) are retried in place, heartbeating, never dead-lettered.
 */
export function createProjectorBatchHandler(d: ProjectorDeps) {
  const topic = TOPICS.reservationCommands.name;
  const dlq = TOPICS.reservationCommandsDlq;

  const deadLetter = async (batch: InBatch, m: InMessage, reason: string) => {
    await d.dlqProducer.send(dlq.name, dlq.partitions, {
      key: m.key ?? `${batch.partition}:${m.offset}`,
      value: m.value ?? '',
      headers: {
        ...m.headers,
        'dlq-reason': reason.slice(0, 500),
        'dlq-source': `${batch.topic}/${batch.partition}/${m.offset}`,
        'dlq-at': new Date().toISOString(),
      },
    });
    d.metrics.messages.inc({ topic, outcome: 'dead-lettered' });
    d.log.warn({ partition: batch.partition, offset: m.offset, reason }, 'poison command dead-lettered');
  };

  return async (batch: InBatch, ctl: BatchControl): Promise<void> => {
    const valid: { cmd: ReservationCommand; m: InMessage }[] = [];
    for (const m of batch.messages) {
      const c = classifyCommand(m.value);
      if (c.ok) valid.push({ cmd: c.command, m });
      else await deadLetter(batch, m, c.reason);
    }
    const last = batch.messages[batch.messages.length - 1]!;
    const next = (BigInt(last.offset) + 1n).toString();
    for (let attempt = 0; ; attempt++) {
      try {
        await d.pg.tx(async (c) => {
          for (const { cmd, m } of valid) await project(c, cmd, batch.partition, m.offset);
          await c.query(
            `INSERT INTO projector_state (topic, partition, next_offset, last_message_at, projected_at)
             VALUES ($1, $2, $3, to_timestamp($4 / 1000.0), now())
             ON CONFLICT (topic, partition) DO UPDATE SET next_offset = greatest(projector_state.next_offset, excluded.next_offset),
               last_message_at = excluded.last_message_at, projected_at = now()`,
            [topic, batch.partition, next, last.timestamp],
          );
        });
        break;
      } catch (err) {
        if (!ctl.isRunning() || ctl.isStale()) throw err;
        d.log.warn({ attempt, err: String(err) }, 'projection failed, retrying');
        await sleep(Math.min(5_000, 200 * 2 ** Math.min(attempt, 5)));
        await ctl.heartbeat().catch(() => undefined);
      }
    }
    await d.consumer.commit(batch.topic, batch.partition, next);
    d.metrics.messages.inc({ topic, outcome: 'projected' }, valid.length);
    const labels = { group: GROUPS.projector, topic, partition: String(batch.partition) };
    d.metrics.consumerLag.set(labels, Number(BigInt(batch.highWatermark) - BigInt(next)));
    d.metrics.consumerLagSeconds.set(labels, Math.max(0, (Date.now() - last.timestamp) / 1000));
  };
}

export interface PartitionProgress {
  partition: number;
  high: bigint;
  committed: bigint;
  projectedAt: number | null;
}

/**
 * Projection lag: offsets from Kafka (log end minus the group's committed offset), seconds as
 * the time since a lagging partition last made progress or, if later, since this process first
 * saw it lagging (`firstSeen`, updated in place). Under-estimates by at most one sampling interval.
 */
export function projectionLag(parts: PartitionProgress[], firstSeen: Map<number, number>, now: number) {
  let lagOffsets = 0n;
  let lagSec = 0;
  let lastProjectedAt: number | null = null;
  for (const p of parts) {
    const lag = p.high - (p.committed < 0n ? 0n : p.committed);
    if (p.projectedAt !== null && (lastProjectedAt === null || p.projectedAt > lastProjectedAt))
      lastProjectedAt = p.projectedAt;
    if (lag <= 0n) {
      firstSeen.delete(p.partition);
      continue;
    }
    lagOffsets += lag;
    const seen = firstSeen.get(p.partition) ?? now;
    firstSeen.set(p.partition, seen);
    const since = Math.max(seen, p.projectedAt ?? seen);
    lagSec = Math.max(lagSec, (now - since) / 1000);
  }
  return {
    lagOffsets: Number(lagOffsets),
    lagSec,
    lastProjectedAt: lastProjectedAt === null ? null : new Date(lastProjectedAt).toISOString(),
  };
}
