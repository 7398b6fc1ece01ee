import { z } from 'zod';
import { shapePlan } from './shape.ts';
import type { FaultKind } from './step.ts';

export interface LossParams {
  lossPercent: number;
}

/** Packet loss on traffic leaving the targets (an nft numgen rule on the local platform). */
export const lossFault: FaultKind<LossParams> = {
  name: 'loss',
  description: 'drop a percentage of packets leaving the targets',
  needs: ['networkFaults'],
  accepts: 'both',
  paramsHelp: ['lossPercent=<0..100> (required)'],
  params: z.strictObject({ lossPercent: z.coerce.number().gt(0).max(100) }),
  plan: (targets, p) => shapePlan(targets, { lossPercent: p.lossPercent }),
};
