import { StackObserver } from '../../lib/observe/stack-observer.ts';
import type { ComponentSpec, Topology } from '../../system/topology.ts';
import type { ComponentStatus } from './platform.ts';

/** What the platform itself knows of one component: its process (or container) and its state. */
export interface BaseStatus {
  pid: number | null;
  /** From the process or container: running (`healthy`), `paused`, `stopped`, `down`. */
  health: ComponentStatus['health'];
  overrides?: Record<string, string>;
}

/**
 * Every component with its live role and health, from the components' own interfaces (KRaft
 * metadata, Sentinel, pg_auto_failover, HAProxy stats, OpenSearch): platform-neutral, the
 * platform gives what it knows of each process in `base`. A running component its cluster does
 * not count in (a broker out of the metadata, a backend HAProxy marks down) is `degraded`.
 */
export async function liveStatus(
  t: Topology,
  base: (c: ComponentSpec) => BaseStatus,
): Promise<ComponentStatus[]> {
  const observer = new StackObserver(t, 1000);
  try {
    const [kafka, redis, postgres, haproxy] = await Promise.all([
      observer.kafka(['ws.probe']),
      observer.redisView(),
      observer.postgresView(),
      observer.haproxy(),
    ]);
    const out: ComponentStatus[] = [];
    for (const c of t.components) {
      const b = base(c);
      let health = b.health;
      let role: string | null = null;
      let detail: string | undefined;
      if (c.kind === 'kafka' && kafka.data) {
        const leads = kafka.data.partitions.filter((p) => p.leader === c.nodeId).length;
        role = kafka.data.controller === c.nodeId ? 'controller-leader' : 'broker';
        if (leads) role += `, partition-leader(${leads})`;
        if (health === 'healthy' && !kafka.data.brokers.includes(c.nodeId ?? -1)) health = 'degraded';
      } else if (c.kind === 'redis' && redis.data) {
        const n = redis.data.nodes.find((x) => x.name === c.name);
        role = n?.role === 'master' ? 'primary' : n?.role === 'slave' ? 'replica' : null;
        if (redis.data.primaryName === c.name) detail = 'sentinels agree it is primary';
      } else if (c.kind === 'sentinel' && redis.data) {
        const v = redis.data.sentinels.find((x) => x.name === c.name);
        role = 'sentinel';
        detail = v?.primary ? `primary ${v.primary}` : 'no answer';
      } else if (c.kind === 'postgres' && postgres.data) {
        const n = postgres.data.nodes.find((x) => x.name === c.name);
        role = n?.inRecovery === false ? 'primary' : n?.inRecovery ? 'replica' : null;
        detail = n?.reportedState ? `pg_auto_failover: ${n.reportedState}` : undefined;
        if (c.name === postgres.data.primary && postgres.data.syncState)
          detail += `, standby ${postgres.data.syncState}`;
      } else if (c.kind === 'pg-monitor') {
        role = 'monitor';
      } else if (c.kind === 'haproxy' && haproxy.data) {
        role = 'ingress';
        const up = haproxy.data.servers.filter((s) => s.status === 'UP').length;
        detail = `${up}/${haproxy.data.servers.length} backends up`;
      } else if (c.kind === 'service' && haproxy.data) {
        const s = haproxy.data.servers.find((x) => x.server === c.name);
        role = c.service ?? 'service';
        if (s) detail = `lb ${s.status}`;
        if (health === 'healthy' && s && s.status !== 'UP') health = 'degraded';
      } else if (c.kind === 'opensearch') {
        const os = await observer.opensearch(c);
        role = 'data-node';
        detail = os.data ? `cluster ${os.data.status}, ${os.data.nodes} nodes` : 'no answer';
        if (health === 'healthy' && !os.ok) health = 'degraded';
      }
      out.push({
        name: c.name,
        kind: c.kind,
        az: c.az,
        address: `${c.host}:${Object.values(c.ports)[0] ?? ''}`,
        pid: b.pid,
        role,
        health,
        ...(detail ? { detail } : {}),
        ...(b.overrides ? { overrides: b.overrides } : {}),
      });
    }
    return out;
  } finally {
    await observer.close();
  }
}
