import { z } from 'zod';
import { type FaultKind, planOf } from './step.ts';

/** SIGSTOP every target: alive, ports open, answering nothing (a gray failure); recovery SIGCONTs. */
export const pauseFault: FaultKind<Record<string, never>> = {
  name: 'pause',
  description: 'SIGSTOP the targets (a gray failure: ports open, no answers); recovery sends SIGCONT',
  needs: ['processFaults'],
  accepts: 'components',
  paramsHelp: [],
  params: z.strictObject({}),
  plan: (targets) => planOf(targets.map((t) => ({ op: 'pause', name: t.name }))),
};
