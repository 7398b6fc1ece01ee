import { StackObserver } from '../../lib/observe/stack-observer.ts';
import type { Topology } from '../../system/topology.ts';
import type { Probe, ProbeResult } from './sampler.ts';

/** The node that accepts a real write, replication lag and sync state, each node's view. */
export function postgresProbe(topology: Topology, intervalMs = 1000): Probe {
  const observer = new StackObserver(topology, 800);
  return {
    name: 'postgres',
    intervalMs,
    sample: async (): Promise<ProbeResult> => {
      const r = await observer.postgresView();
      return r.ok ? { ok: true, data: r.data } : { ok: false, data: r.data ?? {}, error: r.error };
    },
    close: () => observer.close(),
  };
}
