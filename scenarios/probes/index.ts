import type { ProbeName } from '../../lib/run-format.ts';
import type { Topology } from '../../system/topology.ts';
import { apiProbe } from './api-probe.ts';
import { consumerLagProbe } from './consumer-lag-probe.ts';
import { freshnessProbe } from './freshness-probe.ts';
import { haproxyProbe } from './haproxy-probe.ts';
import { kafkaProbe } from './kafka-probe.ts';
import { opensearchProbe } from './opensearch-probe.ts';
import { postgresProbe } from './postgres-probe.ts';
import { redisProbe } from './redis-probe.ts';
import { type HistoryEmit, type Probe, type RunClock, type RunningSampler, startSampler } from './sampler.ts';
import { serviceMetricsProbe } from './service-metrics-probe.ts';

/** Every probe, by name (ProbeName in lib/run-format.ts). */
export const PROBES: Record<ProbeName, (topology: Topology) => Probe> = {
  kafka: (t) => kafkaProbe(t),
  'consumer-lag': (t) => consumerLagProbe(t),
  redis: (t) => redisProbe(t),
  postgres: (t) => postgresProbe(t),
  haproxy: (t) => haproxyProbe(t),
  api: (t) => apiProbe(t),
  'service-metrics': (t) => serviceMetricsProbe(t),
  freshness: (t) => freshnessProbe(t),
  opensearch: (t) => opensearchProbe(t),
};

/** Starts one sampler per probe name, each on its own timer; `stop` stops them all. */
export function startProbes(
  names: readonly ProbeName[],
  topology: Topology,
  clock: RunClock,
  emit: HistoryEmit,
): { stop(): Promise<{ skipped: Record<string, number> }> } {
  const running: [ProbeName, RunningSampler][] = names.map((n) => [
    n,
    startSampler(PROBES[n](topology), clock, emit),
  ]);
  return {
    stop: async () => {
      await Promise.all(running.map(([, s]) => s.stop()));
      return { skipped: Object.fromEntries(running.map(([n, s]) => [n, s.skipped()])) };
    },
  };
}
