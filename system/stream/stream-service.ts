import { GROUPS, TOPICS } from '../contracts.ts';
import { keepTrying } from '../lib/background.ts';
import { kafkaFrom, pgFrom, redisFrom, searchFrom } from '../lib/clients.ts';
import type { BatchControl, InBatch, TransactionalProducer } from '../lib/kafka.ts';
import { reportedBreaker } from '../lib/metrics.ts';
import { sleep } from '../lib/retry.ts';
import type { ServiceContext, ServiceHandle } from '../lib/service-runtime.ts';
import { FlightDirectory } from './flight-directory.ts';
import { GroupCommit } from './group-commit.ts';
import { IndexQueue } from './index-queue.ts';
import { type NormalizedFare, OfferState, transformBatch } from './normalize.ts';
import { PhaseTimer } from './phase-timer.ts';
import { availabilityOf, sinkToCache, sinkToIndex, sinkToPostgres } from './sinks.ts';

/** A batch's Kafka transaction slower than this is logged with its partition (ms). */
export const SLOW_TX_MS = 5_000;

/**
 * A partition's batches start at least this far apart (ms), as Kafka Streams' commit.interval.ms
 * under exactly-once: after its commit, a batch quicker than this holds the partition for the rest,
 * so the next fetch carries what arrived meanwhile in one transaction. Adds at most this to the
 * stream's lag (seed 000: under 5 s at p95).
 *
 * Kafka's cost follows the transactions, not the records. With 1 s the brokers served 24
 * transactions/s and 437-482 follower fetches/s at both 100 and 1,000 msg/s, each fetch over ~34
 * partitions (JMX RequestsPerSec), and Kafka used 0.93-1.01 cores from 50 to 1,000 msg/s. By the
 * protocol each transaction is about eight appends on leaders (the transaction log four times, the
 * produce, the offset commit, two markers), each answering both followers' waiting fetch at once:
 * 24 × 8 × 2 = 384 of those fetches. With 2 s Kafka read 0.52-0.72 cores at 50-250 msg/s in two
 * runs and the feed held 5,000 msg/s where it had broken above ~4,000 (bench:system). Without any
 * interval every batch was a transaction of about one record at a low feed rate.
 */
export const MIN_BATCH_INTERVAL_MS = 2_000;

/**
 * stream: the seeds' Flink tier as consume-transform-produce. Per input partition of
 * `supplier.raw` (group `stream-normalizer`), all assigned partitions at once: transform, write
 * PostgreSQL (the durable sink), then one Kafka transaction with the `fares.normalized` records
 * and the consumed offsets, beside the Redis write. Index availability is queued behind (best
 * effort). The transactional id is per input partition, so a new owner of a partition fences the
 * old one. A restarted worker resumes from the committed offsets.
 */
export async function startStream(ctx: ServiceContext): Promise<ServiceHandle> {
  const { log, metrics } = ctx;
  const kafka = kafkaFrom(ctx);
  const consumer = kafka.consumer(GROUPS.stream);
  const admin = kafka.admin();
  const pg = pgFrom(ctx, 8);
  const redis = redisFrom(ctx);
  const os = searchFrom(ctx);
  const state = new OfferState();
  const breaker = (name: string) => reportedBreaker(metrics, log, name);
  const cacheBreaker = breaker('redis-sink');
  const indexBreaker = breaker('opensearch-sink');
  const producers = new Map<number, Promise<TransactionalProducer>>();
  const input = TOPICS.supplierRaw.name;
  const output = TOPICS.faresNormalized.name;
  const timer = new PhaseTimer();
  let stopped = false;

  const producerFor = (partition: number): Promise<TransactionalProducer> => {
    let p = producers.get(partition);
    if (!p) {
      p = (async () => {
        const tp = kafka.transactionalProducer(`${GROUPS.stream}-${input}-${partition}`);
        await tp.connect();
        return tp;
      })();
      p.catch(() => producers.delete(partition));
      producers.set(partition, p);
    }
    return p;
  };

  consumer.onAssignment((assignment) => {
    const mine = new Set(assignment[input] ?? []);
    log.info({ partitions: [...mine].sort((a, b) => a - b) }, 'assigned partitions');
    for (const [partition, p] of producers) {
      if (!mine.has(partition)) {
        producers.delete(partition);
        void p.then((tp) => tp.disconnect()).catch(() => undefined);
      }
    }
    // Producers are created by the first batch of a partition, not here: kafkajs sends
    // InitProducerId with the transactional id (which fences the previous owner and aborts its
    // open transaction) at a producer's first transaction anyway, so an early one only sat idle.
  });
  consumer.onCrash((err, restart) =>
    log.error(
      { err: String(err), restart },
      restart
        ? 'stream consumer crashed; kafkajs restarts it'
        : 'stream consumer crashed; starting a new consumer',
    ),
  );

  const flights = new FlightDirectory(async (ids) => {
    const r = await pg.query<{ flight_id: string; airline: string; origin: string; destination: string }>(
      ids === null
        ? 'SELECT flight_id, airline, origin, destination FROM flights'
        : 'SELECT flight_id, airline, origin, destination FROM flights WHERE flight_id = ANY($1)',
      ids === null ? [] : [ids],
    );
    return r.rows.map((row) => ({
      flightId: row.flight_id,
      airline: row.airline,
      origin: row.origin,
      destination: row.destination,
    }));
  });
  void keepTrying(
    'flight-directory',
    async () => {
      await flights.preload();
      log.info({ flights: flights.size }, 'flight directory loaded');
    },
    log,
    () => stopped,
  );

  // One PostgreSQL transaction at a time per worker, over every batch waiting for one.
  const postgresSink = new GroupCommit((batches: NormalizedFare[][]) => sinkToPostgres(pg, batches));

  // Availability goes to the index behind the commit, one bulk at a time (best effort).
  const index = new IndexQueue({
    // About 30 availability updates/s at the ci load (30 % of the feed's updates carry seats,
    // ingest/feed.ts). A 50 ms linger let each worker send up to 20 small bulks a second, each a
    // replicated request with a translog fsync on both copies; the index's copy is best effort.
    lingerMs: 500,
    send: (updates) => indexBreaker.run(() => sinkToIndex(os, updates)),
    onDropped: (n, why) => metrics.messages.inc({ topic: input, outcome: `index-dropped-${why}` }, n),
    onError: (err) => log.debug({ err: String(err) }, 'index sink failed'),
  });

  /** Retries `op` (heartbeating) until it succeeds or the partition is taken away. */
  const untilDone = async <T>(what: string, ctl: BatchControl, op: () => Promise<T>): Promise<T> => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await op();
      } catch (err) {
        if (!ctl.isRunning() || ctl.isStale()) throw err;
        log.warn({ what, attempt, err: String(err) }, 'sink failed, retrying');
        await sleep(Math.min(5_000, 200 * 2 ** Math.min(attempt, 5)));
        await ctl.heartbeat().catch(() => undefined);
      }
    }
  };

  /**
   * One line per batch whose Kafka transaction took over SLOW_TX_MS or failed, with its partition.
   * kafkajs fetches from a broker again only once every batch of its last fetch from that broker
   * is done (kafkajs 2.2.4 src/consumer/fetcher.js), so one stuck transaction holds back every
   * partition of this worker that the broker leads. After a broker loss, 8 of one worker's
   * transactions were fenced at once, open for the 30 s transaction timeout; which partitions and
   * how long each took was not in the log.
   */
  const slowTx = (batch: InBatch, startedMs: number, err: unknown) => {
    const ms = Math.round(performance.now() - startedMs);
    if (err === null && ms < SLOW_TX_MS) return;
    log.warn(
      {
        partition: batch.partition,
        messages: batch.messages.length,
        ms,
        ...(err === null ? {} : { err: String(err) }),
      },
      err === null ? 'slow kafka transaction' : 'kafka transaction failed',
    );
  };

  const eachBatch = async (batch: InBatch, ctl: BatchControl) => {
    const started = performance.now();
    const last = batch.messages[batch.messages.length - 1]!;
    const labels = { group: GROUPS.stream, topic: batch.topic, partition: String(batch.partition) };
    const parsedIds = batch.messages.map((m) => {
      try {
        const v: unknown = JSON.parse(m.value ?? 'null');
        return typeof v === 'object' && v !== null && 'flightId' in v && typeof v.flightId === 'string'
          ? v.flightId
          : null;
      } catch {
        return null;
      }
    });
    await timer.time('flights', () =>
      untilDone('flights', ctl, () => flights.resolve(parsedIds.filter((x): x is string => x !== null))),
    );
    const t = transformBatch(batch.messages, state, (id) => flights.get(id), new Date());
    for (const [reason, n] of Object.entries(t.dropped))
      metrics.messages.inc({ topic: input, outcome: `dropped-${reason}` }, n);
    const anomalies = t.out.filter((f) => f.anomaly).length;
    if (anomalies > 0) metrics.messages.inc({ topic: input, outcome: 'anomaly' }, anomalies);

    const changes = await timer.time('postgres', () =>
      untilDone('postgres', ctl, () => postgresSink.submit(t.out)),
    );
    // Cache and index are best effort, so an outage cannot stall the stream: the cache heals by
    // TTL (60 s), the index's availability by the next update of the flight. Both run beside the
    // Kafka transaction, not before it: PostgreSQL has committed, and a replayed batch rewrites
    // the same revision-guarded cache entries and event-time-guarded index fields.
    index.offer(availabilityOf(t.out));
    const cached = timer.time('redis', () =>
      cacheBreaker
        .run(() => sinkToCache(redis, changes))
        .catch(async (err: unknown) => {
          log.debug({ err: String(err) }, 'cache sink failed; dropping affected keys');
          if (changes.length > 0)
            await redis.del(...changes.map((c) => `price:${c.flightId}`)).catch(() => undefined);
        }),
    );

    const messages = t.out.map((f) => ({ key: `${f.supplier}:${f.offerId}`, value: JSON.stringify(f) }));
    const next = (BigInt(last.offset) + 1n).toString();
    let producer: TransactionalProducer | undefined;
    const txStarted = performance.now();
    try {
      producer = await timer.time('producer', () => producerFor(batch.partition));
      const tp = producer;
      await timer.time('kafka-tx', () =>
        tp.commitBatch(
          [{ topic: output, partitions: TOPICS.faresNormalized.partitions, messages }],
          {
            groupId: GROUPS.stream,
            topic: batch.topic,
            partition: batch.partition,
            offset: next,
          },
          (name, op) => timer.time(`tx-${name}`, op),
        ),
      );
      slowTx(batch, txStarted, null);
    } catch (err) {
      slowTx(batch, txStarted, err);
      // A fenced or confused transactional producer is replaced; kafkajs re-reads the batch.
      producers.delete(batch.partition);
      await producer?.disconnect().catch(() => undefined);
      await cached;
      throw err;
    }
    await cached;
    state.apply(t.staged);
    metrics.messages.inc({ topic: output, outcome: 'produced' }, t.out.length);
    metrics.consumerLag.set(labels, Number(BigInt(batch.highWatermark) - BigInt(last.offset) - 1n));
    metrics.consumerLagSeconds.set(labels, Math.max(0, (Date.now() - last.timestamp) / 1000));
    timer.add('batch', performance.now() - started);
    const summary = timer.batchDone(batch.messages.length);
    if (summary) log.info(summary, 'stream batches');
    const rest = started + MIN_BATCH_INTERVAL_MS - performance.now();
    if (rest > 0 && ctl.isRunning() && !ctl.isStale()) await sleep(rest);
  };

  void keepTrying(
    'stream-consumer',
    // Every assigned partition at once: a batch's time is mostly waiting (PostgreSQL's
    // synchronous standby, the transaction coordinator), so partitions overlap their waits.
    () =>
      consumer.run({
        topics: [input],
        fromBeginning: true,
        concurrency: TOPICS.supplierRaw.partitions,
        eachBatch,
      }),
    log,
    () => stopped,
  );

  return {
    ready: {
      kafka: async () => {
        if (!consumer.isRunning()) throw new Error('consumer not running');
        await admin.listTopics();
      },
      postgres: () => pg.ping(),
    },
    stopIntake: async () => {
      stopped = true;
      await consumer.stop();
    },
    close: async () => {
      await consumer.disconnect();
      await index.close();
      await Promise.allSettled([...producers.values()].map((p) => p.then((tp) => tp.disconnect())));
      await Promise.allSettled([admin.disconnect(), pg.end(), redis.quit(), os.close()]);
    },
  };
}
