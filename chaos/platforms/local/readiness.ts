import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { waitFor } from '../../../lib/exec.ts';
import { type StackObserver, serversNotUp } from '../../../lib/observe/stack-observer.ts';
import { REDIS_MASTER_NAME } from '../../../system/contracts.ts';
import { quietRequestQueue } from '../../../system/lib/quiet-request-queue.ts';
import type { ComponentSpec } from '../../../system/topology.ts';
import { componentsOf, kafkaBootstrap } from '../../../system/topology.ts';
import type { BuildContext } from './components.ts';

// kafkajs's idle connections otherwise wake every millisecond (see quiet-request-queue.ts).
quietRequestQueue();

export const PROBE_TOPIC = 'ws.probe';

export interface ReadyHooks {
  log: (line: string) => void;
  startPostgres: (phase: 'monitor' | 'node', c: ComponentSpec, monitor: ComponentSpec) => Promise<void>;
  /** Called once a tier is ready (its data can be loaded while slower tiers still start). */
  tierReady?: (tier: 'kafka' | 'redis' | 'postgres' | 'opensearch') => void;
  /** Waits for the topics and the catalogue, then starts the services (when the topology has any). */
  startServices: () => Promise<void>;
  startHaproxy: () => Promise<void>;
}

class NotReady extends Error {}

async function until<T>(
  what: string,
  ctx: BuildContext,
  logName: string,
  timeoutMs: number,
  check: () => Promise<T | null | false | undefined>,
): Promise<T> {
  const signal = ctx.signal;
  signal?.throwIfAborted();
  const v = await waitFor(check, timeoutMs, 500, signal);
  signal?.throwIfAborted();
  if (v === null) {
    throw new NotReady(
      `${what} not ready after ${timeoutMs / 1000} s (log: ${join(ctx.logsDir, `${logName}.log`)})`,
    );
  }
  return v;
}

async function pgOne<T extends pg.QueryResultRow>(
  c: ComponentSpec,
  db: string,
  sql: string,
): Promise<T | undefined> {
  const client = new pg.Client({
    host: c.host,
    port: c.ports.client,
    database: db,
    user: 'postgres',
    connectionTimeoutMillis: 1500,
    statement_timeout: 5000,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.query<T>(sql)).rows[0];
  } finally {
    await client.end().catch(() => {});
  }
}

export async function kafkaReady(
  ctx: BuildContext,
  observer: StackObserver,
  log: (l: string) => void,
): Promise<void> {
  await until('kafka: 3 brokers registered', ctx, 'kafka-1', 120_000, async () => {
    const k = await observer.kafka();
    return k.ok && k.data.brokers.length === 3 && k.data.controller !== null;
  });
  const kafka = new Kafka({
    clientId: 'windshear-up',
    brokers: kafkaBootstrap(ctx.topology),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await until('kafka: probe topic created', ctx, 'kafka-1', 60_000, async () => {
      const existing = await admin.listTopics();
      if (!existing.includes(PROBE_TOPIC)) {
        await admin.createTopics({
          topics: [
            {
              topic: PROBE_TOPIC,
              numPartitions: 3,
              replicationFactor: 3,
              configEntries: [{ name: 'min.insync.replicas', value: '2' }],
            },
          ],
          waitForLeaders: true,
        });
      }
      return true;
    });
  } finally {
    await admin.disconnect();
  }
  await until('kafka: probe topic ISR 3', ctx, 'kafka-1', 60_000, async () => {
    const k = await observer.kafka([PROBE_TOPIC]);
    return k.ok && k.data.partitions.length === 3 && k.data.partitions.every((p) => p.isr.length === 3);
  });
  log('kafka: ready (3 brokers, probe topic ISR 3)');
}

export async function redisReady(
  ctx: BuildContext,
  observer: StackObserver,
  log: (l: string) => void,
): Promise<void> {
  const primary = componentsOf(ctx.topology, 'redis').find((r) => r.initialRole === 'primary')!;
  await until('redis: replicas linked and Sentinels agreeing', ctx, 'sentinel-a', 60_000, async () => {
    const v = await observer.redisView();
    if (!v.ok || v.data.primaryName !== primary.name) return false;
    return v.data.nodes.every((n) =>
      n.name === primary.name ? n.role === 'master' : n.role === 'slave' && n.linkUp,
    );
  });
  // Every Sentinel must know both replicas and the two other Sentinels, or a failover cannot get a quorum.
  for (const s of componentsOf(ctx.topology, 'sentinel')) {
    await until(`redis: ${s.name} sees 2 replicas and 2 sentinels`, ctx, s.name, 60_000, async () => {
      const r = new Redis({
        host: s.host,
        port: s.ports.client,
        lazyConnect: true,
        connectTimeout: 1000,
        commandTimeout: 1000,
        maxRetriesPerRequest: 0,
      });
      r.on('error', () => {});
      try {
        await r.connect();
        const flat = (await r.call('SENTINEL', 'master', REDIS_MASTER_NAME)) as string[];
        const info = new Map<string, string>();
        for (let i = 0; i + 1 < flat.length; i += 2) info.set(flat[i]!, flat[i + 1]!);
        return info.get('num-slaves') === '2' && info.get('num-other-sentinels') === '2';
      } finally {
        r.disconnect();
      }
    });
  }
  log('redis: ready (primary, 2 replicas linked, 3 Sentinels agreeing)');
}

async function postgresReady(ctx: BuildContext, observer: StackObserver, hooks: ReadyHooks): Promise<void> {
  const monitor = componentsOf(ctx.topology, 'pg-monitor')[0]!;
  const nodes = componentsOf(ctx.topology, 'postgres');
  const primary = nodes.find((n) => n.initialRole === 'primary')!;
  const standbys = nodes.filter((n) => n !== primary);
  const state = async (name: string) =>
    (
      await pgOne<{ s: string }>(
        monitor,
        'pg_auto_failover',
        `select reportedstate::text as s from pgautofailover.node where nodename = '${name}'`,
      )
    )?.s;
  await hooks.startPostgres('monitor', monitor, monitor);
  await until(
    'postgres: monitor answering',
    ctx,
    monitor.name,
    60_000,
    async () => (await pgOne(monitor, 'pg_auto_failover', 'select 1 as one')) !== undefined,
  );
  await hooks.startPostgres('node', primary, monitor);
  await until(
    `postgres: ${primary.name} registered`,
    ctx,
    primary.name,
    90_000,
    async () => (await state(primary.name)) === 'single',
  );
  for (const s of standbys) {
    await hooks.startPostgres('node', s, monitor);
    // pg_basebackup waits for a spread checkpoint (minutes); an immediate one lets it go now.
    // It may be asked before the backup starts, so repeat it until the standby streams.
    let lastCheckpoint = 0;
    await until(`postgres: ${s.name} streaming`, ctx, s.name, 180_000, async () => {
      const st = await state(s.name);
      if (st === 'secondary') return true;
      if (Date.now() - lastCheckpoint > 3000) {
        lastCheckpoint = Date.now();
        await pgOne(primary, 'postgres', 'checkpoint').catch(() => {});
      }
      return false;
    });
  }
  await until('postgres: standby in sync', ctx, primary.name, 60_000, async () => {
    const v = await observer.postgresView();
    return (
      v.data?.primary === primary.name &&
      v.data.writable &&
      (v.data.syncState === 'quorum' || v.data.syncState === 'sync')
    );
  });
  hooks.log('postgres: ready (primary, synchronous standby, monitor)');
}

/**
 * Every node answers and sees the whole cluster (all nodes joined one cluster), and the cluster
 * is green: with no index yet that is at once; `up` waits for green again once the catalogue's
 * index exists (opensearchGreen).
 */
export async function opensearchReady(
  ctx: BuildContext,
  observer: StackObserver,
  log: (l: string) => void,
): Promise<void> {
  const nodes = componentsOf(ctx.topology, 'opensearch');
  for (const c of nodes) {
    await until(`opensearch: ${c.name} in a cluster of ${nodes.length}`, ctx, c.name, 240_000, async () => {
      const h = await observer.opensearch(c);
      return h.ok && h.data.nodes === nodes.length && h.data.status === 'green';
    });
  }
  log(`opensearch: ready (${nodes.length} nodes, green)`);
}

/** The cluster green with the catalogue's index in it: every primary and replica assigned. */
export async function opensearchGreen(ctx: BuildContext, observer: StackObserver, log: (l: string) => void) {
  const nodes = componentsOf(ctx.topology, 'opensearch');
  if (nodes.length === 0) return;
  await until('opensearch: cluster green with the index', ctx, nodes[0]!.name, 120_000, async () => {
    const h = await observer.opensearch(nodes[0]!);
    return h.ok && h.data.nodes === nodes.length && h.data.status === 'green';
  });
  log('opensearch: green with the index');
}

/** Starts the stateful tiers, waits until each is really ready, then services and the ingress. */
export async function waitReady(
  ctx: BuildContext,
  observer: StackObserver,
  hooks: ReadyHooks,
): Promise<void> {
  // The tiers start in parallel. When one fails the others are stopped and awaited before the
  // failure is thrown, so nothing keeps polling (or holding sockets) after `up` has failed.
  const abort = new AbortController();
  const tctx: BuildContext = { ...ctx, signal: abort.signal };
  const failures: unknown[] = [];
  const tier = (p: Promise<void>) =>
    p.catch((error: unknown) => {
      failures.push(error);
      abort.abort(new NotReady('stopped: another tier failed'));
    });
  const ready = (name: 'kafka' | 'redis' | 'postgres' | 'opensearch') => () => hooks.tierReady?.(name);
  await Promise.all([
    tier(kafkaReady(tctx, observer, hooks.log).then(ready('kafka'))),
    tier(redisReady(tctx, observer, hooks.log).then(ready('redis'))),
    tier(postgresReady(tctx, observer, hooks).then(ready('postgres'))),
    tier(opensearchReady(tctx, observer, hooks.log).then(ready('opensearch'))),
  ]);
  if (failures.length > 0) throw failures[0];
  const services = componentsOf(ctx.topology, 'service');
  if (services.length > 0) {
    hooks.log(`services: waiting for topics and catalogue, then starting ${services.length} instances`);
    await hooks.startServices();
    await opensearchGreen(ctx, observer, hooks.log);
  }
  await hooks.startHaproxy();
  await until('haproxy: stats answering', ctx, 'haproxy', 30_000, async () => (await observer.haproxy()).ok);
  if (services.length > 0) {
    await until('haproxy: every API replica UP', ctx, 'haproxy', 180_000, async () => {
      const h = await observer.haproxy();
      return h.ok && serversNotUp(h.data.servers) === null;
    });
  }
  hooks.log('haproxy: ready');
}
