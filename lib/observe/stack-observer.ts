import { Redis } from 'ioredis';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { REDIS_MASTER_NAME } from '../../system/contracts.ts';
import { quietRequestQueue } from '../../system/lib/quiet-request-queue.ts';
import type { ComponentSpec, Topology } from '../../system/topology.ts';
import { componentsOf } from '../../system/topology.ts';
import type { HaproxySample, KafkaSample, PostgresSample, RedisSample } from '../run-format.ts';
import { kafkaView } from './kafka-view.ts';

// kafkajs's idle connections otherwise wake every millisecond (see quiet-request-queue.ts).
quietRequestQueue();

/** An observation that never throws: `error` says what could not be seen. */
export type Observed<T> = { ok: true; data: T } | { ok: false; data: T | null; error: string };

const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));

export interface RedisNodeView {
  name: string;
  role: 'master' | 'slave' | 'unknown';
  /** For replicas: is the link to the primary up. */
  linkUp: boolean | null;
}

export interface PostgresNodeView {
  name: string;
  reachable: boolean;
  inRecovery: boolean | null;
  /** A real write (upsert into `ws_probe` in database `postgres`) succeeded within the timeout. */
  writable: boolean;
  /** pg_auto_failover's view: reported and goal state. */
  reportedState: string | null;
  goalState: string | null;
}

/**
 * Live views of the stack's components through their own protocols, reused by `status`, the
 * `up` readiness checks, fault selectors and the run samplers. Clients are kept open between
 * calls so 1 Hz sampling stays cheap; call `close()` at the end.
 */
/**
 * The topics known to exist. Listing them is a Metadata request for every topic and partition,
 * which the probes sent twice a second (kafka and consumer-lag) to the brokers they measure;
 * topics are not deleted during a run, so the list is asked again only while one that is wanted
 * is missing, at most every `retryMs`.
 */
export class TopicsSeen {
  private known = new Set<string>();
  private askedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly retryMs = 5_000,
    private readonly now: () => number = Date.now,
  ) {}

  async existing(wanted: readonly string[], list: () => Promise<string[]>): Promise<Set<string>> {
    const missing = wanted.some((t) => !this.known.has(t));
    if (missing && this.now() - this.askedAt >= this.retryMs) {
      this.askedAt = this.now();
      this.known = new Set(await list());
    }
    return this.known;
  }
}

export class StackObserver {
  private admin: Admin | null = null;
  private adminConnected = false;
  private seedRotation = 0;
  private readonly redisClients = new Map<string, Redis>();
  private readonly topics = new TopicsSeen();

  constructor(
    readonly topology: Topology,
    private readonly timeoutMs = 1500,
  ) {}

  private async kafkaAdmin(): Promise<Admin> {
    if (!this.admin) {
      // Seed brokers rotated by one per rebuild: kafkajs starts from the first of the list, and
      // a dead first broker would otherwise fail every observation while it is down.
      const all = componentsOf(this.topology, 'kafka').map((k) => `${k.host}:${k.ports.client}`);
      const from = this.seedRotation++ % Math.max(1, all.length);
      const kafka = new Kafka({
        clientId: 'windshear-observer',
        brokers: [...all.slice(from), ...all.slice(0, from)],
        logLevel: logLevel.NOTHING,
        connectionTimeout: this.timeoutMs,
        requestTimeout: this.timeoutMs * 2,
        // A connection error moves to the next seed broker; two short retries reach a live one.
        retry: { retries: 2, initialRetryTime: 50, maxRetryTime: 200 },
      });
      this.admin = kafka.admin();
    }
    if (!this.adminConnected) {
      await this.admin.connect();
      this.adminConnected = true;
    }
    return this.admin;
  }

  /**
   * Brokers registered, the active KRaft controller, and leaders/ISR of those of `topics` that
   * exist, asked of every broker at once (see kafka-view.ts): a lost broker does not blind it.
   */
  async kafka(topics: string[] = []): Promise<Observed<KafkaSample>> {
    const addresses = componentsOf(this.topology, 'kafka').map((k) => ({
      host: k.host,
      port: k.ports.client!,
    }));
    const r = await kafkaView(addresses, topics, this.timeoutMs);
    return r.view
      ? { ok: true, data: r.view }
      : { ok: false, data: { controller: null, brokers: [], partitions: [] }, error: r.error };
  }

  /**
   * Log-end offset (high watermark) and the group's committed offset of every partition of each
   * `{group, topic}`; committed is -1 when the group never committed on that partition. Topics
   * that do not exist are left out.
   */
  async consumerOffsets(pairs: { group: string; topic: string }[]): Promise<
    Observed<
      {
        group: string;
        topic: string;
        partitions: { partition: number; logEnd: number; committed: number }[];
      }[]
    >
  > {
    try {
      const admin = await this.kafkaAdmin();
      const existing = await this.topics.existing(
        pairs.map((p) => p.topic),
        () => admin.listTopics(),
      );
      const out: {
        group: string;
        topic: string;
        partitions: { partition: number; logEnd: number; committed: number }[];
      }[] = [];
      for (const { group, topic } of pairs) {
        if (!existing.has(topic)) continue;
        const [ends, committed] = await Promise.all([
          admin.fetchTopicOffsets(topic),
          admin.fetchOffsets({ groupId: group, topics: [topic] }),
        ]);
        const byPartition = new Map(
          (committed.find((c) => c.topic === topic)?.partitions ?? []).map((p) => [
            p.partition,
            Number(p.offset),
          ]),
        );
        out.push({
          group,
          topic,
          partitions: ends
            .map((e) => ({
              partition: e.partition,
              logEnd: Number(e.high),
              committed: byPartition.get(e.partition) ?? -1,
            }))
            .sort((a, b) => a.partition - b.partition),
        });
      }
      return { ok: true, data: out };
    } catch (e) {
      await this.admin?.disconnect().catch(() => {});
      this.admin = null;
      this.adminConnected = false;
      return { ok: false, data: null, error: errText(e) };
    }
  }

  private redis(c: ComponentSpec): Redis {
    let r = this.redisClients.get(c.name);
    if (!r) {
      r = new Redis({
        host: c.host,
        port: c.ports.client!,
        lazyConnect: true,
        connectTimeout: this.timeoutMs,
        commandTimeout: this.timeoutMs,
        maxRetriesPerRequest: 0,
        enableOfflineQueue: true,
        retryStrategy: () => 1000,
      });
      r.on('error', () => {});
      this.redisClients.set(c.name, r);
    }
    return r;
  }

  private async redisCall<T>(c: ComponentSpec, fn: (r: Redis) => Promise<T>): Promise<T> {
    const r = this.redis(c);
    if (r.status === 'wait' || r.status === 'end') await r.connect().catch(() => {});
    return fn(r);
  }

  /** What each Sentinel reports as primary, and the role of every Redis server. */
  async redisView(): Promise<Observed<RedisSample & { nodes: RedisNodeView[] }>> {
    const sentinels = componentsOf(this.topology, 'sentinel');
    const servers = componentsOf(this.topology, 'redis');
    const views = await Promise.all(
      sentinels.map(async (s) => {
        try {
          const addr = (await this.redisCall(s, (r) =>
            r.call('SENTINEL', 'get-master-addr-by-name', REDIS_MASTER_NAME),
          )) as [string, string] | null;
          return { name: s.name, primary: addr ? `${addr[0]}:${addr[1]}` : null };
        } catch {
          return { name: s.name, primary: null };
        }
      }),
    );
    const nodes = await Promise.all(
      servers.map(async (s): Promise<RedisNodeView> => {
        try {
          const role = (await this.redisCall(s, (r) => r.call('ROLE'))) as unknown[];
          const kind = role[0] === 'master' ? 'master' : role[0] === 'slave' ? 'slave' : 'unknown';
          return { name: s.name, role: kind, linkUp: kind === 'slave' ? role[3] === 'connected' : null };
        } catch {
          return { name: s.name, role: 'unknown', linkUp: null };
        }
      }),
    );
    const answered = views.filter((v) => v.primary !== null);
    const agreed =
      answered.length > 0 && answered.every((v) => v.primary === answered[0]!.primary)
        ? answered[0]!.primary
        : null;
    const primaryName = agreed
      ? (servers.find((s) => `${s.host}:${s.ports.client}` === agreed)?.name ?? null)
      : null;
    const data = { sentinels: views, primary: agreed, primaryName, nodes };
    return answered.length === sentinels.length
      ? { ok: true, data }
      : { ok: false, data, error: 'a Sentinel did not answer' };
  }

  private async pgQuery<T extends pg.QueryResultRow>(
    host: string,
    port: number,
    database: string,
    sql: string,
  ): Promise<T[]> {
    const client = new pg.Client({
      host,
      port,
      database,
      user: 'postgres',
      connectionTimeoutMillis: this.timeoutMs,
      statement_timeout: this.timeoutMs,
      query_timeout: this.timeoutMs,
    });
    client.on('error', () => {});
    try {
      await client.connect();
      const r = await client.query<T>(sql);
      return r.rows;
    } finally {
      await client.end().catch(() => {});
    }
  }

  /** Each node's recovery state and a real write; the monitor's states; replication lag. */
  async postgresView(): Promise<Observed<PostgresSample & { nodes: PostgresNodeView[] }>> {
    const nodes = componentsOf(this.topology, 'postgres');
    const monitor = componentsOf(this.topology, 'pg-monitor')[0];
    let states = new Map<string, { reported: string; goal: string }>();
    if (monitor) {
      try {
        const rows = await this.pgQuery<{ nodename: string; reportedstate: string; goalstate: string }>(
          monitor.host,
          monitor.ports.client!,
          'pg_auto_failover',
          'select nodename, reportedstate::text, goalstate::text from pgautofailover.node',
        );
        states = new Map(rows.map((r) => [r.nodename, { reported: r.reportedstate, goal: r.goalstate }]));
      } catch {
        // monitor down: nodes still tell their own state
      }
    }
    let replicationLagBytes: number | null = null;
    let syncState: PostgresSample['syncState'] = null;
    const views = await Promise.all(
      nodes.map(async (n): Promise<PostgresNodeView> => {
        const st = states.get(n.name);
        const base = { name: n.name, reportedState: st?.reported ?? null, goalState: st?.goal ?? null };
        try {
          const [row] = await this.pgQuery<{ rec: boolean }>(
            n.host,
            n.ports.client!,
            'postgres',
            'select pg_is_in_recovery() as rec',
          );
          const inRecovery = row?.rec ?? null;
          let writable = false;
          if (inRecovery === false) {
            try {
              await this.pgQuery(
                n.host,
                n.ports.client!,
                'postgres',
                `create table if not exists ws_probe(id int primary key, at timestamptz);
                 insert into ws_probe values (1, now()) on conflict (id) do update set at = now()`,
              );
              writable = true;
            } catch {
              writable = false;
            }
            try {
              const rep = await this.pgQuery<{ lag: string | null; sync_state: string }>(
                n.host,
                n.ports.client!,
                'postgres',
                'select pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::text as lag, sync_state from pg_stat_replication',
              );
              if (rep[0]) {
                replicationLagBytes = Number(rep[0].lag ?? 0);
                syncState = rep[0].sync_state as PostgresSample['syncState'];
              }
            } catch {
              // lag unknown
            }
          }
          return { ...base, reachable: true, inRecovery, writable };
        } catch {
          return { ...base, reachable: false, inRecovery: null, writable: false };
        }
      }),
    );
    const primary =
      views.find((v) => v.inRecovery === false && v.writable) ?? views.find((v) => v.inRecovery === false);
    const data = {
      primary: primary?.name ?? null,
      writable: primary?.writable ?? false,
      replicationLagBytes,
      syncState,
      nodes: views,
    };
    return views.every((v) => v.reachable)
      ? { ok: true, data }
      : { ok: false, data, error: 'a node did not answer' };
  }

  /** One node's answer to `_cluster/health`, within the timeout; a non-2xx answer is an error. */
  async opensearch(c: ComponentSpec): Promise<Observed<OpensearchHealth>> {
    try {
      const res = await fetch(`http://${c.host}:${c.ports.http}/_cluster/health`, {
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      if (!res.ok) {
        await res.arrayBuffer().catch(() => undefined);
        return { ok: false, data: null, error: `HTTP ${res.status}` };
      }
      return parseClusterHealth(await res.json());
    } catch (e) {
      return { ok: false, data: null, error: errText(e) };
    }
  }

  /** Every server of every backend with its health-check status, from HAProxy's CSV stats. */
  async haproxy(): Promise<Observed<HaproxySample>> {
    const { host, statsPort } = this.topology.edge;
    try {
      const res = await fetch(`http://${host}:${statsPort}/stats;csv`, {
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const text = await res.text();
      return { ok: true, data: { servers: parseHaproxyCsv(text, this.topology) } };
    } catch (e) {
      return { ok: false, data: null, error: errText(e) };
    }
  }

  async close(): Promise<void> {
    await this.admin?.disconnect().catch(() => {});
    for (const r of this.redisClients.values()) r.disconnect();
    this.redisClients.clear();
  }
}

/** The parts of OpenSearch's `_cluster/health` answer the harness reads. */
export interface OpensearchHealth {
  status: 'green' | 'yellow' | 'red';
  /** number_of_nodes */
  nodes: number;
  /** unassigned_shards */
  unassignedShards: number;
  /** active_shards_percent_as_number */
  activeShardsPercent: number;
}

const HEALTH_STATUSES: readonly OpensearchHealth['status'][] = ['green', 'yellow', 'red'];

/** A `_cluster/health` body, or an error naming what it lacks. */
export function parseClusterHealth(body: unknown): Observed<OpensearchHealth> {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const status = HEALTH_STATUSES.find((s) => s === b.status);
  const num = (k: string) => (typeof b[k] === 'number' ? (b[k] as number) : null);
  const nodes = num('number_of_nodes');
  const unassignedShards = num('unassigned_shards');
  const activeShardsPercent = num('active_shards_percent_as_number');
  if (status === undefined || nodes === null || unassignedShards === null || activeShardsPercent === null)
    return {
      ok: false,
      data: null,
      error: `not a cluster health answer: ${JSON.stringify(body).slice(0, 200)}`,
    };
  return { ok: true, data: { status, nodes, unassignedShards, activeShardsPercent } };
}

/**
 * HAProxy's part of readiness, from the servers its stats list: null when it lists at least one
 * and every one is UP, else what is not (each server not UP with its status, or `no servers`).
 */
export function serversNotUp(
  servers: readonly Pick<HaproxySample['servers'][number], 'server' | 'status'>[],
): string | null {
  if (servers.length === 0) return 'no servers';
  const down = servers.filter((s) => s.status !== 'UP');
  return down.length > 0 ? down.map((s) => `${s.server} ${s.status}`).join(', ') : null;
}

/** Parses `show stat` CSV into backend servers (FRONTEND/BACKEND summary rows dropped). */
export function parseHaproxyCsv(csv: string, topology: Topology): HaproxySample['servers'] {
  const lines = csv.split('\n').filter((l) => l.length > 0);
  const header = (lines[0] ?? '').replace(/^# /, '').split(',');
  const ix = (name: string) => header.indexOf(name);
  const out: HaproxySample['servers'] = [];
  for (const line of lines.slice(1)) {
    const f = line.split(',');
    const server = f[ix('svname')] ?? '';
    if (server === 'FRONTEND' || server === 'BACKEND') continue;
    const raw = (f[ix('status')] ?? '').split(' ')[0] ?? '';
    const status = (
      ['UP', 'DOWN', 'MAINT', 'NOLB'].includes(raw) ? raw : 'DOWN'
    ) as HaproxySample['servers'][number]['status'];
    const az = topology.components.find((c) => c.name === server)?.az;
    out.push({ backend: f[ix('pxname')] ?? '', server, az: az && az !== 'edge' ? az : null, status });
  }
  return out;
}
