import net from 'node:net';
import { StackObserver } from '../lib/observe/stack-observer.ts';
import type { KafkaSample, RedisSample } from '../lib/run-format.ts';
import { TOPICS } from '../system/contracts.ts';
import type { Topology } from '../system/topology.ts';
import type { ComponentStatus } from './platforms/platform.ts';

/**
 * A snapshot of live roles, taken at injection time so selectors resolve against what *is*, not
 * what the topology started with. Every part is null when it could not be observed.
 */
export interface ClusterView {
  /** ISO-8601 time the observation finished. */
  at: string;
  /** `controller` is the KRaft quorum leader (DescribeQuorum), not Metadata's random broker. */
  kafka: KafkaSample | null;
  redis: RedisSample | null;
  postgres: {
    /** Component name of the node not in recovery (the writable one if several claim it), else null. */
    primary: string | null;
    /** `inRecovery` null when the node did not answer. */
    nodes: { name: string; inRecovery: boolean | null }[];
  } | null;
  /** By component name; a component missing here is `unknown`. */
  processes: Record<string, ProcessView>;
}

export interface ProcessView {
  state: 'up' | 'down' | 'paused' | 'unknown';
  pid: number | null;
}

/** A view where nothing is known: every role selector refuses, every process is `unknown`. */
export function emptyView(): ClusterView {
  return { at: new Date().toISOString(), kafka: null, redis: null, postgres: null, processes: {} };
}

export interface ObserveOptions {
  /** Per-call timeout in ms (connect and request). Default 2000. */
  timeoutMs?: number;
  /** Process states from the platform (PIDs, paused); without it, a TCP connect per component. */
  status?: () => Promise<ComponentStatus[]>;
  /** Topics whose leaders and ISR are read; default every topic of system/contracts.ts. */
  topics?: string[];
}

/** Resolves `fallback` if `p` rejects or takes longer than `ms`. Never rejects. */
async function settle<T>(p: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  try {
    return await Promise.race([p.catch(() => fallback), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Observes the live cluster with real clients (the shared StackObserver: DescribeQuorum for the
 * controller, kafkajs metadata, each Sentinel, `pg_is_in_recovery()` on each node). Never throws;
 * what did not answer is null.
 */
export async function observeCluster(topology: Topology, opts: ObserveOptions = {}): Promise<ClusterView> {
  const ms = opts.timeoutMs ?? 2000;
  const observer = new StackObserver(topology, ms);
  try {
    const topics = opts.topics ?? Object.values(TOPICS).map((t) => t.name);
    const [kafka, redis, postgres, processes] = await Promise.all([
      settle(observeKafka(observer, topics), ms * 8, null),
      settle(observer.redisView(), ms * 3, null),
      settle(observer.postgresView(), ms * 4, null),
      settle(observeProcesses(topology, ms, opts.status), ms * 3, {}),
    ]);
    const k = kafka;
    const r = redis?.data ?? null;
    const p = postgres?.data ?? null;
    return {
      at: new Date().toISOString(),
      kafka: k,
      redis: r ? { sentinels: r.sentinels, primary: r.primary, primaryName: r.primaryName } : null,
      postgres: p
        ? { primary: p.primary, nodes: p.nodes.map((n) => ({ name: n.name, inRecovery: n.inRecovery })) }
        : null,
      processes,
    };
  } finally {
    await settle(observer.close(), ms, undefined);
  }
}

/**
 * Leaders and ISR of `topics`. One missing topic fails the whole metadata request, so on failure
 * each topic is asked alone and what exists is kept.
 */
async function observeKafka(observer: StackObserver, topics: string[]): Promise<KafkaSample | null> {
  const all = await observer.kafka(topics);
  if (all.ok || topics.length === 0) return usable(all.data);
  let merged: KafkaSample | null = all.data;
  for (const t of topics) {
    const one = await observer.kafka([t]);
    if (!one.ok) continue;
    merged = {
      controller: one.data.controller ?? merged?.controller ?? null,
      brokers: one.data.brokers,
      partitions: [...(merged?.partitions ?? []), ...one.data.partitions],
    };
  }
  if (merged && merged.brokers.length === 0) {
    const none = await observer.kafka([]);
    if (none.ok) merged = { ...merged, brokers: none.data.brokers };
  }
  return usable(merged);
}

function usable(k: KafkaSample | null): KafkaSample | null {
  return k && (k.controller !== null || k.brokers.length > 0) ? k : null;
}

async function observeProcesses(
  topology: Topology,
  ms: number,
  status: ObserveOptions['status'],
): Promise<Record<string, ProcessView>> {
  const out: Record<string, ProcessView> = {};
  if (status) {
    for (const s of await status()) out[s.name] = { state: stateOf(s.health), pid: s.pid };
    return out;
  }
  await Promise.all(
    topology.components.map(async (c) => {
      const port = Object.values(c.ports)[0];
      const open = port === undefined ? null : await tcpOpen(c.host, port, ms);
      out[c.name] = { state: open === null ? 'unknown' : open ? 'up' : 'down', pid: null };
    }),
  );
  return out;
}

function stateOf(h: ComponentStatus['health']): ProcessView['state'] {
  switch (h) {
    case 'healthy':
    case 'degraded':
      return 'up';
    case 'down':
    case 'stopped':
      return 'down';
    case 'paused':
      return 'paused';
    case 'unknown':
      return 'unknown';
  }
}

/** True when a TCP connect succeeds within `ms`; false on refusal or timeout. */
function tcpOpen(host: string, port: number, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (v: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => done(false), ms);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
