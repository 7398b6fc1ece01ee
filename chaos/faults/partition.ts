import { z } from 'zod';
import type { AzName } from '../../lib/run-format.ts';
import type { PartitionSpec } from '../platforms/platform.ts';
import { type FaultKind, planOf, type Step } from './step.ts';

const PEERS = ['az-a', 'az-b', 'az-c', 'edge'] as const;

export interface PartitionParams {
  /** `both` is symmetric; `ingress`/`egress` drop one way, seen from the isolated side. */
  direction: PartitionSpec['direction'];
  /** Peers cut off; every other AZ and the host when absent. */
  from?: (AzName | 'edge')[];
  /** `az`: cut the component's whole AZ, not only its ports (the target only picks the AZ). */
  scope: 'ports' | 'az';
  /** Keep the host (load generator, ledger, edge) connected: cut only the other AZs. */
  keepEdge: boolean;
}

/**
 * Cut targets off the network. An AZ target (`az:az-b`) isolates the whole AZ; a component
 * target isolates only that component's ports in its AZ.
 */
export const partitionFault: FaultKind<PartitionParams> = {
  name: 'partition',
  description: 'cut an AZ (az:...) or a component (its ports) off from the rest, both ways or one way',
  needs: ['networkFaults'],
  accepts: 'both',
  paramsHelp: [
    'direction=both|ingress|egress (default both; one-way is seen from the isolated side)',
    'from=az-a,az-c,edge (peers cut off; default every other AZ and the host)',
    "scope=ports|az (default ports: a component target cuts only its ports; az: the target's whole AZ)",
    'keepEdge=true|false (default false: true keeps the host connected and cuts only the other AZs)',
  ],
  params: z.strictObject({
    direction: z.enum(['both', 'ingress', 'egress']).default('both'),
    from: z
      .preprocess(
        (v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()) : v),
        z.array(z.enum(PEERS)).min(1),
      )
      .optional(),
    scope: z.enum(['ports', 'az']).default('ports'),
    keepEdge: z
      .preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), z.boolean())
      .default(false),
  }),
  plan: (targets, params) => {
    const steps: Step[] = [];
    const seenAz = new Set<string>();
    for (const t of targets) {
      if (t.az === 'edge') continue;
      const whole = t.kind === 'az' || params.scope === 'az';
      if (whole) {
        if (seenAz.has(t.az)) continue;
        seenAz.add(t.az);
      }
      const az = t.az;
      const from =
        params.from ?? (params.keepEdge ? PEERS.filter((p) => p !== az && p !== 'edge') : undefined);
      const spec: PartitionSpec = {
        az,
        direction: params.direction,
        ...(whole ? {} : { ports: [...t.ports] }),
        ...(from ? { from: [...from] } : {}),
      };
      steps.push({ op: 'partition', spec, ref: `partition-${steps.length}` });
    }
    return planOf(steps);
  },
};
