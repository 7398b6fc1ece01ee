import { StackObserver } from '../../lib/observe/stack-observer.ts';
import { TOPICS } from '../../system/contracts.ts';
import type { Topology } from '../../system/topology.ts';
import type { Probe, ProbeResult } from './sampler.ts';

/** KRaft controller, registered brokers, leader and ISR of every system topic's partitions. */
export function kafkaProbe(topology: Topology, intervalMs = 1000): Probe {
  const observer = new StackObserver(topology, 1000);
  const topics = Object.values(TOPICS).map((t) => t.name);
  return {
    name: 'kafka',
    intervalMs,
    sample: async (): Promise<ProbeResult> => {
      const r = await observer.kafka(topics);
      return r.ok ? { ok: true, data: r.data } : { ok: false, data: r.data ?? {}, error: r.error };
    },
    close: () => observer.close(),
  };
}
