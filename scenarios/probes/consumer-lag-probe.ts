import { StackObserver } from '../../lib/observe/stack-observer.ts';
import type { ConsumerLagSample } from '../../lib/run-format.ts';
import { GROUPS, TOPICS } from '../../system/contracts.ts';
import type { Topology } from '../../system/topology.ts';
import { LagTracker } from './lag-tracker.ts';
import type { Probe, ProbeResult } from './sampler.ts';

/** The consumer groups of system/contracts.ts and the topic each reads. */
export const LAG_PAIRS = [
  { group: GROUPS.stream, topic: TOPICS.supplierRaw.name },
  { group: GROUPS.projector, topic: TOPICS.reservationCommands.name },
] as const;

/**
 * Offset lag (log end − committed, summed over partitions) and time lag (the oldest unconsumed
 * record's age, worst partition; LagTracker) per group, from the admin API.
 */
export function consumerLagProbe(
  topology: Topology,
  opts: { intervalMs?: number; now?: () => number } = {},
): Probe {
  const observer = new StackObserver(topology, 1000);
  const tracker = new LagTracker();
  const now = opts.now ?? (() => performance.now());
  return {
    name: 'consumer-lag',
    intervalMs: opts.intervalMs ?? 1000,
    sample: async (): Promise<ProbeResult> => {
      const r = await observer.consumerOffsets(LAG_PAIRS.map((p) => ({ ...p })));
      if (!r.ok) return { ok: false, data: {}, error: r.error };
      const at = now();
      const groups: ConsumerLagSample['groups'] = r.data.map((g) => {
        let lagOffsets = 0;
        let lagSec = 0;
        for (const p of g.partitions) {
          const l = tracker.observe(`${g.group}/${g.topic}/${p.partition}`, at, p.logEnd, p.committed);
          lagOffsets += l.lagOffsets;
          lagSec = Math.max(lagSec, l.lagSec);
        }
        return { group: g.group, topic: g.topic, lagOffsets, lagSec };
      });
      return { ok: true, data: { groups } };
    },
    close: () => observer.close(),
  };
}
