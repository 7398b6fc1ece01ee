import { z } from 'zod';
import { type FaultKind, planOf } from './step.ts';

/** SIGTERM every target (a clean shutdown); recovery starts it again. */
export const terminateFault: FaultKind<Record<string, never>> = {
  name: 'terminate',
  description: 'SIGTERM the targets (a clean shutdown); recovery starts them again',
  needs: ['processFaults'],
  accepts: 'components',
  paramsHelp: [],
  params: z.strictObject({}),
  plan: (targets) => planOf(targets.map((t) => ({ op: 'kill', name: t.name, signal: 'SIGTERM' }))),
};
