import { z } from 'zod';
import { type FaultKind, planOf } from './step.ts';

/**
 * Pause the HAProxy edge for exactly the fault's duration: every request stalls, nothing fails
 * over. The known outage length calibrates RTO measurement (measured RTO ~= forSec).
 */
export const ingressPauseFault: FaultKind<Record<string, never>> = {
  name: 'ingress-pause',
  description: 'SIGSTOP the HAProxy edge for exactly --for seconds (calibrates RTO measurement)',
  needs: ['processFaults'],
  accepts: 'components',
  defaultSelector: 'haproxy',
  requiresFor: true,
  paramsHelp: [],
  params: z.strictObject({}),
  plan: (targets) =>
    planOf(targets.filter((t) => t.kind === 'haproxy').map((t) => ({ op: 'pause', name: t.name }))),
};
