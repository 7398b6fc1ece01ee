import { z } from 'zod';
import { shapePlan } from './shape.ts';
import type { FaultKind } from './step.ts';

export interface DelayParams {
  delayMs: number;
  /** Added +/- variation (uniform). */
  jitterMs?: number;
}

/** Delay (and jitter) on traffic leaving the targets; the local platform holds packets in NFQUEUE (ws-netem). */
export const delayFault: FaultKind<DelayParams> = {
  name: 'delay',
  description: 'add latency (and jitter) to traffic leaving the targets',
  needs: ['networkFaults'],
  accepts: 'both',
  paramsHelp: ['delayMs=<ms> (required, 1..60000)', 'jitterMs=<ms> (default 0)'],
  params: z.strictObject({
    delayMs: z.coerce.number().int().min(1).max(60_000),
    jitterMs: z.coerce.number().int().min(0).max(60_000).optional(),
  }),
  plan: (targets, p) =>
    shapePlan(targets, { delayMs: p.delayMs, ...(p.jitterMs ? { jitterMs: p.jitterMs } : {}) }),
};
