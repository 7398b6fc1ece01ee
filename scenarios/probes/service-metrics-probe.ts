import type { Topology } from '../../system/topology.ts';
import { type InstanceCounters, instanceCounters, parsePromText, sumInstances } from './prom-text.ts';
import type { Probe, ProbeResult } from './sampler.ts';

/**
 * Scrapes /metrics of every search-api instance and sums the cache, breaker and degraded
 * counters. An instance that does not answer keeps its last counters in the sum (so a sum never
 * drops because of a timeout; a restart still resets it) and makes the sample ok=false.
 */
export function serviceMetricsProbe(
  topology: Topology,
  opts: { intervalMs?: number; timeoutMs?: number } = {},
): Probe {
  const instances = topology.components.filter((c) => c.service === 'search-api');
  const last = new Map<string, InstanceCounters>();
  const timeoutMs = opts.timeoutMs ?? 800;
  return {
    name: 'service-metrics',
    intervalMs: opts.intervalMs ?? 1000,
    sample: async (): Promise<ProbeResult> => {
      const missed: string[] = [];
      await Promise.all(
        instances.map(async (c) => {
          try {
            const res = await fetch(`http://${c.host}:${c.ports.http}/metrics`, {
              signal: AbortSignal.timeout(timeoutMs),
            });
            const text = await res.text();
            if (!res.ok) throw new Error(`HTTP ${res.status}`);
            last.set(c.name, instanceCounters(parsePromText(text)));
          } catch {
            missed.push(c.name);
          }
        }),
      );
      const data = sumInstances([...last.values()]);
      const requests = instances.length;
      return missed.length === 0
        ? { ok: true, data, requests }
        : { ok: false, data, error: `no /metrics from ${missed.sort().join(', ')}`, requests };
    },
  };
}
