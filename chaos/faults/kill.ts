import { z } from 'zod';
import { type FaultKind, planOf } from './step.ts';

/** SIGKILL every target; recovery starts it again with its existing data. */
export const killFault: FaultKind<Record<string, never>> = {
  name: 'kill',
  description: 'SIGKILL the targets (a crash); recovery starts them again with their data',
  needs: ['processFaults'],
  accepts: 'components',
  paramsHelp: [],
  params: z.strictObject({}),
  plan: (targets) => planOf(targets.map((t) => ({ op: 'kill', name: t.name, signal: 'SIGKILL' }))),
};
