import { z } from 'zod';
import { shapePlan } from './shape.ts';
import type { FaultKind } from './step.ts';

export interface BandwidthParams {
  rateKbit: number;
}

/** Rate limit on traffic leaving the targets (tc tbf on the local platform). */
export const bandwidthFault: FaultKind<BandwidthParams> = {
  name: 'bandwidth',
  description: 'limit the bandwidth of traffic leaving the targets (tc tbf)',
  needs: ['networkFaults'],
  accepts: 'both',
  paramsHelp: ['rateKbit=<kbit/s> (required, >= 8)'],
  params: z.strictObject({ rateKbit: z.coerce.number().int().min(8) }),
  plan: (targets, p) => shapePlan(targets, { rateKbit: p.rateKbit }),
};
