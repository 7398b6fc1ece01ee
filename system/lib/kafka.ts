/**
 * With quiet-request-queue.ts (a patch of its idle timer), the only module that imports kafkajs
 * (2.2.4, unmaintained: keep it swappable). Exposes what the
 * services need: an idempotent micro-batching producer that answers each message with its
 * partition and offset after acks=all, a transactional producer for consume-transform-produce,
 * a batch consumer with manual commits, and a few admin calls.
 */
import {
  type Admin,
  type Consumer,
  type IHeaders,
  Kafka,
  type KafkaMessage,
  logLevel,
  type Message,
  Partitioners,
  type PartitionMetadata,
  type Producer,
  type RetryOptions,
} from 'kafkajs';
import { quietRequestQueue } from './quiet-request-queue.ts';

quietRequestQueue();

export interface OutMessage {
  key: string;
  value: string;
  headers?: Record<string, string>;
}

export interface Ack {
  topic: string;
  partition: number;
  /** Decimal string, as Kafka offsets exceed 2^53 in principle. */
  offset: string;
}

export interface InMessage {
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
  offset: string;
  /** Broker or producer timestamp, ms since epoch. */
  timestamp: number;
}

export interface InBatch {
  topic: string;
  partition: number;
  highWatermark: string;
  messages: InMessage[];
}

export type KafkaLog = (
  level: 'error' | 'warn' | 'info',
  msg: string,
  detail: Record<string, unknown>,
) => void;

export interface KafkaOptions {
  brokers: string[];
  clientId: string;
  log?: KafkaLog;
}

const defaultPartitioner = Partitioners.DefaultPartitioner();
const fakeMeta = new Map<number, PartitionMetadata[]>();

/** Kafka's Java default partitioner (murmur2 of the key) over `numPartitions`. */
export function partitionFor(key: string, numPartitions: number): number {
  let meta = fakeMeta.get(numPartitions);
  if (!meta) {
    meta = Array.from({ length: numPartitions }, (_, i) => ({
      partitionErrorCode: 0,
      partitionId: i,
      leader: 0,
      replicas: [0],
      isr: [0],
    }));
    fakeMeta.set(numPartitions, meta);
  }
  return defaultPartitioner({ topic: '', partitionMetadata: meta, message: { key, value: null } });
}

/** The partitions written to that no acknowledgement covers, ascending. */
export function missingPartitions(written: number[], acked: number[]): number[] {
  const ok = new Set(acked);
  return [...new Set(written)].filter((p) => !ok.has(p)).sort((a, b) => a - b);
}

/** Offsets for messages appended in order to one partition, starting at `baseOffset`. */
export function offsetsFrom(baseOffset: string, count: number): string[] {
  const base = BigInt(baseOffset);
  return Array.from({ length: count }, (_, i) => (base + BigInt(i)).toString());
}

export function headersToRecord(h: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) {
    if (v === undefined) continue;
    const first = Array.isArray(v) ? v[0] : v;
    if (first !== undefined) out[k] = first.toString();
  }
  return out;
}

function toInMessage(m: KafkaMessage): InMessage {
  return {
    key: m.key ? m.key.toString() : null,
    value: m.value ? m.value.toString() : null,
    headers: headersToRecord(m.headers),
    offset: m.offset,
    timestamp: Number(m.timestamp),
  };
}

export class KafkaConnection {
  readonly kafka: Kafka;

  constructor(readonly opts: KafkaOptions) {
    const log = opts.log;
    this.kafka = new Kafka({
      clientId: opts.clientId,
      brokers: opts.brokers,
      connectionTimeout: 3_000,
      requestTimeout: 10_000,
      retry: { initialRetryTime: 100, maxRetryTime: 2_000, retries: 8 },
      logLevel: logLevel.WARN,
      logCreator: () => (entry) => {
        if (!log) return;
        // Connection-level errors are retried by kafkajs (coordinator moves, concurrent
        // transactions) and bounded producer retries are deliberate: both are logged as info;
        // what survives the retries surfaces as errors of the callers.
        const quiet = entry.namespace === 'Connection' || entry.log.message.startsWith('Limiting retries');
        const level = quiet
          ? 'info'
          : entry.level === logLevel.ERROR
            ? 'error'
            : entry.level === logLevel.WARN
              ? 'warn'
              : 'info';
        const { message, ...rest } = entry.log;
        log(level, `kafkajs ${entry.namespace}: ${message}`, rest);
      },
    });
  }

  /** acks -1 (all) is idempotent; acks 1 (leader only, unsafe) cannot be: kafkajs refuses it. */
  idempotentProducer(acks: -1 | 1 = -1): BatchingProducer {
    return new BatchingProducer(
      () =>
        this.kafka.producer({
          idempotent: acks === -1,
          maxInFlightRequests: 1,
          createPartitioner: Partitioners.DefaultPartitioner,
          retry: { initialRetryTime: 100, maxRetryTime: 2_000, retries: 8 },
        }),
      500,
      10_000,
      acks,
    );
  }

  transactionalProducer(transactionalId: string): TransactionalProducer {
    let forget: () => void = () => undefined;
    const producer = withPatchedCluster(
      this.kafka,
      (cluster) => {
        const memo = memoizeCoordinator(cluster.findGroupCoordinator.bind(cluster), COORDINATOR_TTL_MS);
        cluster.findGroupCoordinator = memo.find;
        forget = memo.forget;
      },
      () =>
        this.kafka.producer({
          idempotent: true,
          transactionalId,
          maxInFlightRequests: 1,
          transactionTimeout: 30_000,
          createPartitioner: Partitioners.DefaultPartitioner,
          retry: TRANSACTION_RETRY,
        }),
    );
    return new TransactionalProducer(producer, () => forget());
  }

  /**
   * `retry`: kafkajs's retries of the consumer's own steps (fetch, heartbeat, `commit`) before it
   * crashes and rejoins; default ~30 s in all.
   */
  consumer(groupId: string, retry: RetryOptions = CONSUMER_RETRY): BatchConsumer {
    return new BatchConsumer(
      () =>
        this.kafka.consumer({
          groupId,
          // Short session so a killed worker's partitions move in ~10 s (seed 000: recovery < 30 s).
          sessionTimeout: 10_000,
          heartbeatInterval: 3_000,
          rebalanceTimeout: 20_000,
          // How long the broker holds an empty fetch. It answers as soon as a record arrives
          // (min bytes 1), so this adds no latency; 100 ms made ~10 idle consumers fetch 10 times
          // a second from every broker, which cost the brokers ~13 % of a core each at rest.
          // kafkajs heartbeats between fetches, once heartbeatInterval has passed: at 3 s an idle
          // consumer still heartbeats every ~3 s, well inside the 10 s session.
          maxWaitTimeInMs: 3_000,
          readUncommitted: false,
          retry,
        }),
      groupId,
    );
  }

  admin(): KafkaAdmin {
    return new KafkaAdmin(this.kafka.admin());
  }
}

/** Consecutive failed flushes after which a non-idempotent BatchingProducer starts over. */
const REPLACE_AFTER = 3;

interface Pending {
  topic: string;
  message: Message & { partition: number };
  resolve: (ack: Ack) => void;
  reject: (err: unknown) => void;
}

/**
 * Idempotent producer (acks=all) that coalesces concurrent `send` calls into one request per
 * flush, computing each message's partition itself so it can answer with the exact offset.
 */
export class BatchingProducer {
  private queue: Pending[] = [];
  private flushing = false;
  private connected = false;
  private producer: Producer;
  /** Flushes that failed in a row; after REPLACE_AFTER the producer is replaced. */
  private failures = 0;

  constructor(
    private readonly create: () => Producer,
    private readonly maxBatch = 500,
    private readonly ackTimeoutMs = 10_000,
    private readonly acks: -1 | 1 = -1,
  ) {
    this.producer = create();
  }

  async connect(): Promise<void> {
    await this.producer.connect();
    this.connected = true;
  }

  /**
   * A fresh producer gets a new producer id, so its sequence numbers start over. An idempotent
   * producer must be replaced after *any* failed flush: kafkajs rolls a partition's sequence back
   * when a produce request fails, even when the broker did write it (a timeout, a connection reset
   * by a dying leader). The next batch of the same size would reuse that sequence, the broker would
   * take it for a retry of the written batch and answer with that batch's offset: acknowledged,
   * never written (reproduced in chaos/faults.it.test.ts; it lost acked reservations around a
   * broker kill). The same rollback also leaves a producer wedged on OUT_OF_ORDER_SEQUENCE_NUMBER.
   * The failed batches were rejected (never acknowledged), so nothing acked is lost.
   */
  private async replace(): Promise<void> {
    const old = this.producer;
    this.connected = false;
    this.producer = this.create();
    await old.disconnect().catch(() => undefined);
    await this.producer.connect();
    this.connected = true;
  }

  isConnected(): boolean {
    return this.connected;
  }

  /** After a failed flush: an idempotent producer is replaced at once, another after REPLACE_AFTER in a row. */
  private async failed(): Promise<void> {
    if (!this.serial && ++this.failures < REPLACE_AFTER) return;
    this.failures = 0;
    await this.replace().catch(() => undefined);
  }

  /** Resolves after the broker acknowledged (acks=all, or the leader alone with acks 1) with the message's partition and offset. */
  send(topic: string, numPartitions: number, msg: OutMessage): Promise<Ack> {
    return new Promise<Ack>((resolve, reject) => {
      this.queue.push({
        topic,
        message: {
          key: msg.key,
          value: msg.value,
          headers: msg.headers,
          partition: partitionFor(msg.key, numPartitions),
        },
        resolve,
        reject,
      });
      if (!this.flushing || !this.serial) setImmediate(() => void this.flush());
    });
  }

  /**
   * acks=all is idempotent, which kafkajs supports with one send at a time: flushes are serial.
   * acks 1 is not idempotent, so flushes overlap and one unreachable leader does not hold up the
   * messages for the others.
   */
  private get serial(): boolean {
    return this.acks === -1;
  }

  private async flush(): Promise<void> {
    if ((this.flushing && this.serial) || this.queue.length === 0) return;
    this.flushing = true;
    const batch = this.queue.splice(0, this.maxBatch);
    try {
      const byTopic = new Map<string, Message[]>();
      for (const p of batch) {
        const list = byTopic.get(p.topic) ?? [];
        list.push(p.message);
        byTopic.set(p.topic, list);
      }
      const meta = await this.producer.sendBatch({
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
        acks: this.acks,
        timeout: this.ackTimeoutMs,
      });
      const base = new Map(
        meta.map((m) => [`${m.topicName}/${m.partition}`, m.baseOffset ?? m.offset ?? '0']),
      );
      const seen = new Map<string, number>();
      let unacked = 0;
      for (const p of batch) {
        const k = `${p.topic}/${p.message.partition}`;
        const i = seen.get(k) ?? 0;
        seen.set(k, i + 1);
        const b = base.get(k);
        if (b === undefined) {
          // kafkajs resolves a retried sendBatch without the partitions that moved to a broker
          // which had already answered for others: never sent again, their sequences rolled back.
          unacked++;
          p.reject(new Error(`no acknowledgement for ${k}`));
        } else
          p.resolve({
            topic: p.topic,
            partition: p.message.partition,
            offset: (BigInt(b) + BigInt(i)).toString(),
          });
      }
      if (unacked > 0) await this.failed();
      else this.failures = 0;
    } catch (err) {
      for (const p of batch) p.reject(err);
      await this.failed();
    } finally {
      this.flushing = false;
      if (this.queue.length > 0 && this.serial) setImmediate(() => void this.flush());
    }
  }

  /** Waits up to `flushMs` for queued messages, then disconnects. */
  async disconnect(flushMs = 10_000): Promise<void> {
    const deadline = Date.now() + flushMs;
    while ((this.queue.length > 0 || this.flushing) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    this.connected = false;
    await this.producer.disconnect();
  }
}

export interface OffsetCommit {
  groupId: string;
  topic: string;
  partition: number;
  /** Next offset to consume (last processed + 1). */
  offset: string;
}

/**
 * Retries of a transactional producer's steps. The next transaction of a transactional id is
 * refused (CONCURRENT_TRANSACTIONS) until the coordinator has written the previous one's commit
 * markers; with the client's exponential 100 ms .. 2 s backoff that cost 1-2 s per batch once
 * every partition committed back to back (4 retries of 108, 194, 376, 670 ms seen). Retry soon
 * and often instead, as the Java client does (20 ms): 25 ms growing to 250 ms, ~10 s in all, so
 * a leader change is still waited out.
 */
const TRANSACTION_RETRY = {
  initialRetryTime: 25,
  maxRetryTime: 250,
  multiplier: 1.5,
  factor: 0.2,
  retries: 40,
};

/** A consumer's retries of its own steps: 200 ms growing to 5 s, ~30 s in all, then a rejoin. */
const CONSUMER_RETRY: RetryOptions = { initialRetryTime: 200, maxRetryTime: 5_000, retries: 10 };

/**
 * Retries for a consumer that commits offsets itself (`commit`): 200 ms growing to 2 s, ~5 s in
 * all. kafkajs 2.2.4 sends a commit to the group coordinator it found when it joined and, when
 * that broker is gone, connects to the same node again on every retry (offsetManager
 * getCoordinator); only a rejoin asks FindCoordinator. With CONSUMER_RETRY the projector waited
 * out ~30 s of refused connections after a broker loss that took its coordinator (lag 28 → 61 s
 * with no progress, broker-loss ci); with this it crashes and rejoins on the new one. Killing the
 * coordinator's broker for 30 s under load: no commit for 53 s with CONSUMER_RETRY (through the
 * outage and 20 s of NOT_COORDINATOR after it), 18 s with this.
 */
export const COMMITTING_CONSUMER_RETRY: RetryOptions = {
  initialRetryTime: 200,
  maxRetryTime: 2_000,
  retries: 5,
};

/** How long a transactional producer trusts the coordinator it found (see memoizeCoordinator). */
const COORDINATOR_TTL_MS = 5_000;

interface CoordinatorQuery {
  groupId: string;
  coordinatorType?: number;
}

/**
 * kafkajs asks for the coordinator before every step of a transaction (FindCoordinator before
 * AddPartitionsToTxn, AddOffsetsToTxn, TxnOffsetCommit and EndTxn: 4 extra round trips per
 * batch). This remembers each answer for `ttlMs`; a failed lookup is not remembered, a request
 * through a remembered coordinator that fails because it is not (or no longer) the coordinator,
 * or cannot be reached, forgets it (kafkajs's retry of that step then asks the cluster again
 * instead of the same broker until the TTL ends; CONCURRENT_TRANSACTIONS, the common refusal,
 * keeps it), and `forget()` (after any failed transaction) drops them all.
 */
export function memoizeCoordinator<B extends object>(
  find: (q: CoordinatorQuery) => Promise<B>,
  ttlMs: number,
  now: () => number = Date.now,
): { find: (q: CoordinatorQuery) => Promise<B>; forget: () => void } {
  const cache = new Map<string, { at: number; broker: Promise<B> }>();
  const forgetOnFailure = (key: string, entry: Promise<B>, b: B): B =>
    new Proxy(b, {
      get(target, prop, receiver) {
        const v: unknown = Reflect.get(target, prop, receiver);
        if (typeof v !== 'function') return v;
        return (...args: unknown[]) => {
          const r: unknown = v.apply(target, args);
          if (r instanceof Promise)
            r.catch((err: unknown) => {
              if (coordinatorLost(err) && cache.get(key)?.broker === entry) cache.delete(key);
            });
          return r;
        };
      },
    });
  return {
    find: (q) => {
      const key = `${q.coordinatorType ?? 0}/${q.groupId}`;
      const hit = cache.get(key);
      if (hit && now() - hit.at < ttlMs) return hit.broker;
      let entry!: Promise<B>;
      entry = find(q).then((b) => forgetOnFailure(key, entry, b));
      cache.set(key, { at: now(), broker: entry });
      entry.catch(() => {
        if (cache.get(key)?.broker === entry) cache.delete(key);
      });
      return entry;
    },
    forget: () => cache.clear(),
  };
}

/** Errors after which a coordinator must be looked up again (kafkajs error types and names). */
const COORDINATOR_LOST = new Set([
  'NOT_COORDINATOR_FOR_GROUP',
  'GROUP_COORDINATOR_NOT_AVAILABLE',
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
]);

function coordinatorLost(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { type, name } = err as { type?: unknown; name?: unknown };
  return COORDINATOR_LOST.has(String(type)) || COORDINATOR_LOST.has(String(name));
}

interface PatchableCluster {
  findGroupCoordinator: (q: CoordinatorQuery) => Promise<object>;
}

/**
 * Creates a client with `create` while kafkajs's private cluster factory hands every new cluster
 * to `patch` first. kafkajs 2.2.4 keeps that factory under a private symbol; without it (another
 * version) the client is created unpatched.
 */
export function withPatchedCluster<T>(
  kafka: Kafka,
  patch: (c: PatchableCluster) => void,
  create: () => T,
): T {
  const holder = kafka as unknown as Record<symbol, unknown>;
  const key = Object.getOwnPropertySymbols(holder).find(
    (s) => s.description === 'private:Kafka:createCluster',
  );
  const factory = key ? holder[key] : undefined;
  if (!key || typeof factory !== 'function') return create();
  holder[key] = (...args: unknown[]) => {
    const cluster = (factory as (...a: unknown[]) => unknown)(...args);
    if (
      typeof cluster === 'object' &&
      cluster !== null &&
      typeof (cluster as PatchableCluster).findGroupCoordinator === 'function'
    )
      patch(cluster as PatchableCluster);
    return cluster;
  };
  try {
    return create();
  } finally {
    holder[key] = factory;
  }
}

/** One transactional id; one transaction at a time. Messages and consumer offsets commit atomically. */
export class TransactionalProducer {
  constructor(
    private readonly producer: Producer,
    /** Drops what the producer remembers about coordinators (after a failed transaction). */
    private readonly forgetCoordinators: () => void = () => undefined,
  ) {}

  connect(): Promise<void> {
    return this.producer.connect();
  }

  /**
   * Sends every message (partitioned here, by key) and commits the offsets in one transaction.
   * A send whose answer lacks a partition it wrote to aborts the transaction: kafkajs can resolve
   * a retried send without the partitions that moved to a broker which had already answered.
   */
  async commitBatch(
    sends: { topic: string; partitions: number; messages: OutMessage[] }[],
    offsets: OffsetCommit,
    /** Times each step (`send`, `offsets`, `commit`), e.g. for a phase timer. */
    step: <T>(name: string, op: () => Promise<T>) => Promise<T> = (_, op) => op(),
  ): Promise<void> {
    const tx = await this.producer.transaction();
    try {
      for (const s of sends) {
        if (s.messages.length === 0) continue;
        const messages = s.messages.map((m) => ({ ...m, partition: partitionFor(m.key, s.partitions) }));
        const acked = await step('send', () => tx.send({ topic: s.topic, messages, acks: -1 }));
        const missing = missingPartitions(
          messages.map((m) => m.partition),
          acked.filter((a) => a.topicName === s.topic).map((a) => a.partition),
        );
        if (missing.length > 0)
          throw new Error(`no acknowledgement for ${s.topic} partitions ${missing.join(', ')}`);
      }
      await step('offsets', () =>
        tx.sendOffsets({
          consumerGroupId: offsets.groupId,
          topics: [
            { topic: offsets.topic, partitions: [{ partition: offsets.partition, offset: offsets.offset }] },
          ],
        }),
      );
      await step('commit', () => tx.commit());
    } catch (err) {
      this.forgetCoordinators();
      await tx.abort().catch(() => undefined);
      throw err;
    }
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }
}

export interface BatchControl {
  heartbeat(): Promise<void>;
  isRunning(): boolean;
  isStale(): boolean;
}

export interface RunOptions {
  topics: string[];
  fromBeginning?: boolean;
  /** Partitions processed in parallel (each still in order). */
  concurrency?: number;
  eachBatch: (batch: InBatch, ctl: BatchControl) => Promise<void>;
}

export class BatchConsumer {
  private running = false;
  private consumer: Consumer;
  private readonly listeners: ((c: Consumer) => void)[] = [];
  private opts: RunOptions | null = null;
  private restarts = 0;

  constructor(
    private readonly create: () => Consumer,
    readonly groupId: string,
  ) {
    this.consumer = this.fresh();
  }

  /** A new kafkajs consumer with every listener attached; it restarts itself after a fatal crash. */
  private fresh(): Consumer {
    const c = this.create();
    for (const l of this.listeners) l(c);
    // kafkajs retries retriable errors itself (restart: true). After a non-retriable one (e.g. a
    // fenced transactional epoch) it stops for good while the process lives on: the member leaves
    // and, with every worker in that state, nobody consumes. Start over with a new consumer.
    c.on(c.events.CRASH, (e) => {
      if (e.payload.restart || !this.running || !this.opts) return;
      const delayMs = Math.min(10_000, 500 * 2 ** Math.min(this.restarts++, 5));
      setTimeout(() => void this.restart(), delayMs);
    });
    return c;
  }

  private async restart(): Promise<void> {
    if (!this.running || !this.opts) return;
    await this.consumer.disconnect().catch(() => undefined);
    this.consumer = this.fresh();
    await this.start(this.opts).catch(() => {
      // the new consumer's own CRASH handler schedules the next attempt
    });
  }

  private on(listener: (c: Consumer) => void): void {
    this.listeners.push(listener);
    listener(this.consumer);
  }

  /** Called with the partitions this member owns after each rebalance. */
  onAssignment(cb: (assignment: Record<string, number[]>) => void): void {
    this.on((c) => c.on(c.events.GROUP_JOIN, (e) => cb(e.payload.memberAssignment)));
  }

  /** Every crash; `restart` false means kafkajs gave up and this consumer is being rebuilt. */
  onCrash(cb: (err: unknown, restart: boolean) => void): void {
    this.on((c) => c.on(c.events.CRASH, (e) => cb(e.payload.error, e.payload.restart)));
  }

  async run(opts: RunOptions): Promise<void> {
    this.opts = opts;
    this.running = true;
    await this.start(opts);
  }

  private async start(opts: RunOptions): Promise<void> {
    const consumer = this.consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: opts.topics, fromBeginning: opts.fromBeginning ?? true });
    await consumer.run({
      // Offsets are committed by the caller (transaction or commit()); auto-resolve only moves the
      // fetch position past a batch whose handler returned, without it kafkajs re-reads the batch.
      autoCommit: false,
      eachBatchAutoResolve: true,
      partitionsConsumedConcurrently: opts.concurrency ?? 1,
      eachBatch: async ({ batch, heartbeat, isRunning, isStale }) => {
        if (batch.isEmpty()) return;
        this.restarts = 0;
        await opts.eachBatch(
          {
            topic: batch.topic,
            partition: batch.partition,
            highWatermark: batch.highWatermark,
            messages: batch.messages.map(toInMessage),
          },
          { heartbeat, isRunning, isStale },
        );
      },
    });
  }

  isRunning(): boolean {
    return this.running;
  }

  /** Commits `offset` (next to consume) for one partition. */
  commit(topic: string, partition: number, offset: string): Promise<void> {
    return this.consumer.commitOffsets([{ topic, partition, offset }]);
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.consumer.stop().catch(() => undefined);
  }

  async disconnect(): Promise<void> {
    this.running = false;
    await this.consumer.disconnect().catch(() => undefined);
  }
}

export interface TopicSpec {
  name: string;
  partitions: number;
  replicationFactor: number;
  config?: Record<string, string>;
}

/** `topic` (not in the metadata, or with no partitions) or `topic/partition` without a leader. */
export function leaderless(
  topics: string[],
  metadata: { name: string; partitions: { partitionId: number; leader: number }[] }[],
): string[] {
  const byName = new Map(metadata.map((t) => [t.name, t.partitions]));
  return topics.flatMap((t) => {
    const parts = byName.get(t);
    if (!parts || parts.length === 0) return [t];
    return parts.filter((p) => p.leader < 0).map((p) => `${t}/${p.partitionId}`);
  });
}

export class KafkaAdmin {
  private connected = false;

  constructor(private readonly admin: Admin) {}

  private async ensure(): Promise<void> {
    if (!this.connected) {
      await this.admin.connect();
      this.connected = true;
    }
  }

  /** Creates missing topics; returns the names it created. */
  async createTopics(specs: TopicSpec[]): Promise<string[]> {
    await this.ensure();
    const existing = new Set(await this.admin.listTopics());
    const missing = specs.filter((s) => !existing.has(s.name));
    if (missing.length === 0) return [];
    await this.admin.createTopics({
      // kafkajs's own wait for leaders gives up on UNKNOWN_TOPIC_OR_PARTITION from a broker that
      // has not yet seen the new topic ("This server does not host this topic-partition"): the
      // compose bootstrap failed so in 2 of 3 ups at 14:26-14:29 on 3 December. Waited below.
      waitForLeaders: false,
      timeout: 30_000,
      topics: missing.map((s) => ({
        topic: s.name,
        numPartitions: s.partitions,
        replicationFactor: s.replicationFactor,
        configEntries: Object.entries(s.config ?? {}).map(([name, value]) => ({ name, value })),
      })),
    });
    await this.waitForLeaders(
      missing.map((s) => s.name),
      60_000,
    );
    return missing.map((s) => s.name);
  }

  /** Until every partition of `topics` has a leader in the metadata (errors retried), or throws. */
  private async waitForLeaders(topics: string[], timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = 'no metadata yet';
    for (;;) {
      try {
        const pending = leaderless(topics, (await this.admin.fetchTopicMetadata({ topics })).topics);
        if (pending.length === 0) return;
        last = `without a leader: ${pending.join(', ')}`;
      } catch (e) {
        last = e instanceof Error ? e.message : String(e);
      }
      if (Date.now() > deadline) throw new Error(`topics not led after ${timeoutMs / 1000} s (${last})`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  async listTopics(): Promise<string[]> {
    await this.ensure();
    return this.admin.listTopics();
  }

  /** High watermark per partition. */
  async highWatermarks(topic: string): Promise<Map<number, bigint>> {
    await this.ensure();
    const r = await this.admin.fetchTopicOffsets(topic);
    return new Map(r.map((p) => [p.partition, BigInt(p.high)]));
  }

  /** Committed offset per partition (-1 when none). */
  async committed(groupId: string, topic: string): Promise<Map<number, bigint>> {
    await this.ensure();
    const r = await this.admin.fetchOffsets({ groupId, topics: [topic] });
    const parts = r.find((t) => t.topic === topic)?.partitions ?? [];
    return new Map(parts.map((p) => [p.partition, BigInt(p.offset)]));
  }

  async disconnect(): Promise<void> {
    if (this.connected) await this.admin.disconnect().catch(() => undefined);
    this.connected = false;
  }
}
