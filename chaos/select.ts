import type { ComponentKind, ComponentSpec, ServiceName, Topology } from '../system/topology.ts';
import type { ClusterView } from './cluster-view.ts';
import type { FaultTarget } from './faults/step.ts';
import { guardAz, guardName, guardPid } from './guard.ts';
import { isRefusal, type Refusal, refusal } from './refusal.ts';

/**
 * Selectors say *who* is hit, by role, and are resolved at injection time against a ClusterView.
 * Text forms (scenario files, `--target`):
 *
 *   kafka:controller-leader                       the KRaft quorum leader
 *   kafka:partition-leader(topic=T,partition=N)   the leader of one partition
 *   kafka:most-leaders[(topic=T)]                 the broker leading most partitions (of T)
 *   redis:primary | redis:replicas                as the Sentinels agree
 *   postgres:primary | postgres:standby           by pg_is_in_recovery()
 *   service:S[(count=N|all|az=az-b[,seed=N])]     instances of a service; default count=1 (all = count=all)
 *   az:az-b                                       a whole AZ
 *   random(kind=K[,count=N],seed=N)               seeded, reproducible random members
 *   haproxy                                       the edge load balancer
 *   name:kafka-2 | pid:4242                       one component of this topology
 */
export type Selector =
  | { by: 'kafka-controller-leader' }
  | { by: 'kafka-partition-leader'; topic: string; partition: number }
  | { by: 'kafka-most-leaders'; topic?: string }
  | { by: 'redis-primary' }
  | { by: 'redis-replicas' }
  | { by: 'postgres-primary' }
  | { by: 'postgres-standby' }
  | { by: 'service'; service: ServiceName; count: number | 'all'; az?: string; seed?: number }
  | { by: 'az'; az: string }
  | { by: 'random'; kind?: ComponentKind; count: number; seed?: number }
  | { by: 'haproxy' }
  | { by: 'name'; name: string }
  | { by: 'pid'; pid: number };

export type ParseResult = { ok: true; selector: Selector } | { ok: false; message: string; fix?: string };

const SERVICES: readonly ServiceName[] = ['search-api', 'reservations', 'booking', 'ingest', 'stream'];
const KINDS: readonly ComponentKind[] = [
  'kafka',
  'redis',
  'sentinel',
  'postgres',
  'pg-monitor',
  'opensearch',
  'haproxy',
  'service',
];
const FORMS =
  'kafka:controller-leader, kafka:partition-leader(topic=T,partition=N), kafka:most-leaders(topic=T), ' +
  'redis:primary, redis:replicas, postgres:primary, postgres:standby, service:<name>(count=N|all|az=az-b), ' +
  'az:<az>, random(kind=<kind>,seed=N), haproxy, name:<component>, pid:<pid>';

const SYNTAX = /^([a-z]+)(?::([a-z0-9][a-z0-9.-]*))?(?:\((.*)\))?$/;

function fail(text: string, why: string, fix = `use one of: ${FORMS}`): ParseResult {
  return { ok: false, message: `selector '${text}': ${why}`, fix };
}

/** Parses the text form. Never throws. */
export function parseSelector(text: string): ParseResult {
  const src = text.trim();
  const m = SYNTAX.exec(src);
  if (!m) return fail(src, 'not of the form kind:role(args)');
  const head = m[1] ?? '';
  const role = m[2];
  const args = new Map<string, string>();
  const flags = new Set<string>();
  if (m[3] !== undefined && m[3].trim() !== '') {
    for (const part of m[3].split(',')) {
      const [k, v, ...rest] = part.split('=').map((s) => s.trim());
      if (!k || rest.length)
        return fail(src, `bad argument '${part.trim()}'`, 'write arguments as key=value, comma separated');
      if (v === undefined) flags.add(k);
      else args.set(k, v);
    }
  }
  const allowed = (keys: string[], flagKeys: string[] = []): ParseResult | null => {
    for (const k of args.keys())
      if (!keys.includes(k))
        return fail(
          src,
          `unknown argument '${k}'`,
          keys.length ? `arguments here: ${keys.join(', ')}` : 'this selector takes no arguments',
        );
    for (const f of flags)
      if (!flagKeys.includes(f))
        return fail(
          src,
          `unknown argument '${f}'`,
          keys.length
            ? `arguments here: ${[...keys, ...flagKeys].join(', ')}`
            : 'this selector takes no arguments',
        );
    return null;
  };
  const int = (k: string, min: number): number | undefined | ParseResult => {
    const v = args.get(k);
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v) || Number(v) < min)
      return fail(src, `${k}=${v} is not an integer >= ${min}`, `write ${k}=<integer>`);
    return Number(v);
  };
  const ok = (selector: Selector): ParseResult => ({ ok: true, selector });
  const isFail = (x: unknown): x is ParseResult => typeof x === 'object' && x !== null && 'ok' in x;

  switch (head) {
    case 'kafka': {
      if (role === 'controller-leader') return allowed([]) ?? ok({ by: 'kafka-controller-leader' });
      if (role === 'partition-leader') {
        const bad = allowed(['topic', 'partition']);
        if (bad) return bad;
        const topic = args.get('topic');
        const partition = int('partition', 0);
        if (isFail(partition)) return partition;
        if (!topic || partition === undefined)
          return fail(
            src,
            'needs topic and partition',
            'write kafka:partition-leader(topic=reservations.commands,partition=0)',
          );
        return ok({ by: 'kafka-partition-leader', topic, partition });
      }
      if (role === 'most-leaders') {
        const bad = allowed(['topic']);
        if (bad) return bad;
        const topic = args.get('topic');
        return ok(topic ? { by: 'kafka-most-leaders', topic } : { by: 'kafka-most-leaders' });
      }
      return fail(
        src,
        `unknown kafka role '${role ?? ''}'`,
        'kafka roles: controller-leader, partition-leader(topic=T,partition=N), most-leaders(topic=T)',
      );
    }
    case 'redis':
      if (role === 'primary' || role === 'replicas')
        return allowed([]) ?? ok({ by: role === 'primary' ? 'redis-primary' : 'redis-replicas' });
      return fail(src, `unknown redis role '${role ?? ''}'`, 'redis roles: primary, replicas');
    case 'postgres':
      if (role === 'primary' || role === 'standby')
        return allowed([]) ?? ok({ by: role === 'primary' ? 'postgres-primary' : 'postgres-standby' });
      return fail(src, `unknown postgres role '${role ?? ''}'`, 'postgres roles: primary, standby');
    case 'service': {
      const service = SERVICES.find((s) => s === role);
      if (!service) return fail(src, `unknown service '${role ?? ''}'`, `services: ${SERVICES.join(', ')}`);
      const bad = allowed(['count', 'az', 'seed'], ['all']);
      if (bad) return bad;
      // count=all is the same as the bare `all` flag.
      if (args.get('count') === 'all') {
        args.delete('count');
        flags.add('all');
      }
      const count = int('count', 1);
      const seed = int('seed', 0);
      if (isFail(count)) return count;
      if (isFail(seed)) return seed;
      if (flags.has('all') && count !== undefined)
        return fail(src, 'count and all exclude each other', 'write either count=N or all');
      const az = args.get('az');
      return ok({
        by: 'service',
        service,
        // az=... alone means every instance in that AZ.
        count: flags.has('all') || (az !== undefined && count === undefined) ? 'all' : (count ?? 1),
        ...(az !== undefined ? { az } : {}),
        ...(seed !== undefined ? { seed } : {}),
      });
    }
    case 'az':
      if (!role) return fail(src, 'names no AZ', 'write az:az-b');
      return allowed([]) ?? ok({ by: 'az', az: role });
    case 'random': {
      if (role) return fail(src, 'random takes arguments, not a role', 'write random(kind=kafka,seed=7)');
      const bad = allowed(['kind', 'count', 'seed']);
      if (bad) return bad;
      const kindText = args.get('kind');
      const kind = KINDS.find((k) => k === kindText);
      if (kindText !== undefined && !kind)
        return fail(src, `unknown kind '${kindText}'`, `kinds: ${KINDS.join(', ')}`);
      const count = int('count', 1);
      const seed = int('seed', 0);
      if (isFail(count)) return count;
      if (isFail(seed)) return seed;
      return ok({
        by: 'random',
        ...(kind ? { kind } : {}),
        count: count ?? 1,
        ...(seed !== undefined ? { seed } : {}),
      });
    }
    case 'haproxy':
      if (role) return fail(src, 'haproxy takes no role', 'write haproxy');
      return allowed([]) ?? ok({ by: 'haproxy' });
    case 'name':
      if (!role) return fail(src, 'names no component', 'write name:kafka-2');
      return allowed([]) ?? ok({ by: 'name', name: role });
    case 'pid':
      if (!role || !/^\d+$/.test(role)) return fail(src, 'needs a numeric PID', 'write pid:4242');
      return allowed([]) ?? ok({ by: 'pid', pid: Number(role) });
    default:
      return fail(src, `unknown selector kind '${head}'`);
  }
}

/** The canonical text form of a selector (parseSelector(formatSelector(s)) equals s). */
export function formatSelector(s: Selector): string {
  switch (s.by) {
    case 'kafka-controller-leader':
      return 'kafka:controller-leader';
    case 'kafka-partition-leader':
      return `kafka:partition-leader(topic=${s.topic},partition=${s.partition})`;
    case 'kafka-most-leaders':
      return s.topic ? `kafka:most-leaders(topic=${s.topic})` : 'kafka:most-leaders';
    case 'redis-primary':
      return 'redis:primary';
    case 'redis-replicas':
      return 'redis:replicas';
    case 'postgres-primary':
      return 'postgres:primary';
    case 'postgres-standby':
      return 'postgres:standby';
    case 'service': {
      const args = [
        s.count === 'all' ? (s.az === undefined ? 'all' : '') : `count=${s.count}`,
        s.az !== undefined ? `az=${s.az}` : '',
        s.seed !== undefined ? `seed=${s.seed}` : '',
      ].filter(Boolean);
      return `service:${s.service}(${args.join(',')})`;
    }
    case 'az':
      return `az:${s.az}`;
    case 'random': {
      const args = [
        s.kind ? `kind=${s.kind}` : '',
        `count=${s.count}`,
        s.seed !== undefined ? `seed=${s.seed}` : '',
      ];
      return `random(${args.filter(Boolean).join(',')})`;
    }
    case 'haproxy':
      return 'haproxy';
    case 'name':
      return `name:${s.name}`;
    case 'pid':
      return `pid:${s.pid}`;
  }
}

/** mulberry32: a tiny seeded PRNG, uniform in [0, 1). Same seed, same sequence. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` members of `items` picked with a seeded partial Fisher-Yates shuffle; input order matters. */
export function pickSeeded<T>(items: readonly T[], count: number, seed: number): T[] {
  const rnd = mulberry32(seed);
  const a = [...items];
  const n = Math.min(count, a.length);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(rnd() * (a.length - i));
    const tmp = a[i] as T;
    a[i] = a[j] as T;
    a[j] = tmp;
  }
  return a.slice(0, n);
}

/** The live role of a component in the view, for `fault-start` targets. */
export function roleOf(c: ComponentSpec, view: ClusterView): string | undefined {
  switch (c.kind) {
    case 'kafka':
      if (view.kafka?.controller != null && view.kafka.controller === c.nodeId) return 'controller-leader';
      return 'broker';
    case 'redis':
      if (!view.redis?.primaryName) return undefined;
      return view.redis.primaryName === c.name ? 'primary' : 'replica';
    case 'postgres': {
      const n = view.postgres?.nodes.find((x) => x.name === c.name);
      if (!n || n.inRecovery === null) return undefined;
      return n.inRecovery ? 'replica' : 'primary';
    }
    case 'sentinel':
    case 'pg-monitor':
      return 'monitor';
    case 'haproxy':
      return 'edge';
    case 'service':
      return 'backend';
    case 'opensearch':
      return 'search-node';
  }
}

export function toTarget(c: ComponentSpec, role: string | undefined): FaultTarget {
  return { name: c.name, az: c.az, kind: c.kind, ports: Object.values(c.ports), ...(role ? { role } : {}) };
}

/** A component can be picked by a non-role selector unless the view says it is down or paused. */
function eligible(c: ComponentSpec, view: ClusterView): boolean {
  const s = view.processes[c.name]?.state;
  return s !== 'down' && s !== 'paused';
}

const byName = (a: ComponentSpec, b: ComponentSpec) => a.name.localeCompare(b.name);

/**
 * Resolves a selector against live roles. PURE: same selector, view and topology, same answer.
 * `seed` is the fallback for seeded picks that name none (e.g. the run's seed).
 */
export function resolve(
  selector: Selector,
  view: ClusterView,
  topology: Topology,
  opts: { seed?: number } = {},
): FaultTarget[] | Refusal {
  const text = formatSelector(selector);
  const nothing = (why: string, fix: string) =>
    refusal('selector-matched-nothing', `selector '${text}' matched nothing: ${why}`, fix);
  const one = (c: ComponentSpec | undefined, role: string): FaultTarget[] | Refusal =>
    c
      ? [toTarget(c, role)]
      : nothing('the live role names no component of this topology', 'check `windshear status`');
  const kafkaByNode = (id: number | null) =>
    topology.components.find((c) => c.kind === 'kafka' && c.nodeId === id);

  switch (selector.by) {
    case 'kafka-controller-leader': {
      const id = view.kafka?.controller ?? null;
      if (id === null)
        return nothing(
          'no KRaft controller is known (Kafka did not answer DescribeQuorum)',
          'check that Kafka is up: `windshear status`',
        );
      return one(kafkaByNode(id), 'controller-leader');
    }
    case 'kafka-partition-leader': {
      if (!view.kafka) return nothing('Kafka did not answer', 'check that Kafka is up: `windshear status`');
      const p = view.kafka.partitions.find(
        (x) => x.topic === selector.topic && x.partition === selector.partition,
      );
      if (!p)
        return nothing(
          `no partition ${selector.topic}-${selector.partition} in Kafka's metadata`,
          'check the topic name and partition number (system/contracts.ts TOPICS)',
        );
      if (p.leader === null)
        return nothing(
          `${selector.topic}-${selector.partition} has no leader right now`,
          'wait for leader election, then retry',
        );
      return one(kafkaByNode(p.leader), 'partition-leader');
    }
    case 'kafka-most-leaders': {
      if (!view.kafka) return nothing('Kafka did not answer', 'check that Kafka is up: `windshear status`');
      const counts = new Map<number, number>();
      for (const p of view.kafka.partitions) {
        if (p.leader === null || (selector.topic && p.topic !== selector.topic)) continue;
        counts.set(p.leader, (counts.get(p.leader) ?? 0) + 1);
      }
      // Most partitions led; ties go to the lowest node id, so the answer is stable.
      const best = [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0];
      if (!best)
        return nothing(
          selector.topic ? `no partition of ${selector.topic} has a leader` : 'no partition has a leader',
          'check the topic name and that Kafka is up',
        );
      return one(kafkaByNode(best[0]), 'partition-leader');
    }
    case 'redis-primary': {
      const name = view.redis?.primaryName ?? null;
      if (!name)
        return nothing(
          'the Sentinels do not agree on a primary (or did not answer)',
          'check Sentinel with `windshear status`, then retry',
        );
      return one(
        topology.components.find((c) => c.name === name),
        'primary',
      );
    }
    case 'redis-replicas': {
      const name = view.redis?.primaryName ?? null;
      if (!name)
        return nothing(
          'the Sentinels do not agree on a primary, so replicas are unknown',
          'check Sentinel with `windshear status`, then retry',
        );
      const rs = topology.components.filter(
        (c) => c.kind === 'redis' && c.name !== name && eligible(c, view),
      );
      return rs.length
        ? rs.sort(byName).map((c) => toTarget(c, 'replica'))
        : nothing('no live replica', 'start the replicas first');
    }
    case 'postgres-primary': {
      const name = view.postgres?.primary ?? null;
      if (!name)
        return nothing(
          'no PostgreSQL node reports pg_is_in_recovery() = false (or more than one does)',
          'check PostgreSQL with `windshear status`',
        );
      return one(
        topology.components.find((c) => c.name === name),
        'primary',
      );
    }
    case 'postgres-standby': {
      const nodes = view.postgres?.nodes.filter((n) => n.inRecovery === true).map((n) => n.name) ?? [];
      const cs = topology.components
        .filter((c) => c.kind === 'postgres' && nodes.includes(c.name))
        .sort(byName);
      return cs.length
        ? cs.map((c) => toTarget(c, 'replica'))
        : nothing('no PostgreSQL node reports being in recovery', 'check PostgreSQL with `windshear status`');
    }
    case 'service': {
      if (selector.az !== undefined) {
        const bad = guardAz(selector.az, topology);
        if (bad) return bad;
      }
      const cs = topology.components
        .filter((c) => c.kind === 'service' && c.service === selector.service)
        .filter((c) => selector.az === undefined || c.az === selector.az)
        .filter((c) => eligible(c, view))
        .sort(byName);
      if (cs.length === 0)
        return nothing(
          `no live ${selector.service} instance${selector.az ? ` in ${selector.az}` : ''}`,
          'check `windshear status`; services need a topology with services',
        );
      const picked =
        selector.count === 'all'
          ? cs
          : pickSeeded(cs, selector.count, selector.seed ?? opts.seed ?? 0).sort(byName);
      return picked.map((c) => toTarget(c, roleOf(c, view)));
    }
    case 'az': {
      const bad = guardAz(selector.az, topology);
      const az = topology.azs.find((a) => a.name === selector.az)?.name;
      if (bad || !az) return bad ?? nothing('unknown AZ', 'pick an AZ of the topology');
      return [{ name: az, az, kind: 'az', role: 'az', ports: [] }];
    }
    case 'random': {
      const seed = selector.seed ?? opts.seed;
      if (seed === undefined)
        return refusal(
          'selector-needs-seed',
          `selector '${text}' has no seed, so it would not be reproducible`,
          'add seed=N, e.g. random(kind=kafka,seed=7)',
        );
      const cs = topology.components
        .filter((c) => (selector.kind ? c.kind === selector.kind : true) && eligible(c, view))
        .sort(byName);
      if (cs.length === 0)
        return nothing(
          `no live component${selector.kind ? ` of kind ${selector.kind}` : ''}`,
          'check `windshear status`',
        );
      return pickSeeded(cs, selector.count, seed)
        .sort(byName)
        .map((c) => toTarget(c, roleOf(c, view)));
    }
    case 'haproxy': {
      const c = topology.components.find((x) => x.kind === 'haproxy');
      return c
        ? [toTarget(c, 'edge')]
        : nothing('this topology has no HAProxy', 'bring up a topology with the edge: `windshear up`');
    }
    case 'name': {
      const r = guardName(selector.name, topology);
      if (isRefusal(r)) return r;
      return [toTarget(r, roleOf(r, view))];
    }
    case 'pid': {
      const r = guardPid(selector.pid, view, topology);
      if (isRefusal(r)) return r;
      return [toTarget(r, roleOf(r, view))];
    }
  }
}
