import { StackObserver } from '../../lib/observe/stack-observer.ts';
import type { Topology } from '../../system/topology.ts';
import type { Probe, ProbeResult } from './sampler.ts';

/** The primary each Sentinel reports, their agreement, and every Redis server's role. */
export function redisProbe(topology: Topology, intervalMs = 1000): Probe {
  const observer = new StackObserver(topology, 800);
  return {
    name: 'redis',
    intervalMs,
    sample: async (): Promise<ProbeResult> => {
      const r = await observer.redisView();
      return r.ok ? { ok: true, data: r.data } : { ok: false, data: r.data ?? {}, error: r.error };
    },
    close: () => observer.close(),
  };
}
