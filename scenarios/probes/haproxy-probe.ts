import { StackObserver } from '../../lib/observe/stack-observer.ts';
import type { Topology } from '../../system/topology.ts';
import type { Probe, ProbeResult } from './sampler.ts';

/** Health-check status of every HAProxy backend server (stats CSV). */
export function haproxyProbe(topology: Topology, intervalMs = 1000): Probe {
  const observer = new StackObserver(topology, 800);
  return {
    name: 'haproxy',
    intervalMs,
    sample: async (): Promise<ProbeResult> => {
      const r = await observer.haproxy();
      return r.ok ? { ok: true, data: r.data } : { ok: false, data: {}, error: r.error };
    },
    close: () => observer.close(),
  };
}
