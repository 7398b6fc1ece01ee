import { z } from 'zod';
import { type FaultKind, planOf, type Step } from './step.ts';

/**
 * SIGTERM then start each target, one after the other (a rolling restart). Recovery starts any
 * target still down, so a restart interrupted between its two steps is healed too.
 */
export const restartFault: FaultKind<Record<string, never>> = {
  name: 'restart',
  description: 'SIGTERM then start each target in turn (a rolling restart)',
  needs: ['processFaults'],
  accepts: 'components',
  paramsHelp: [],
  params: z.strictObject({}),
  plan: (targets) =>
    planOf(
      targets.flatMap((t): Step[] => [
        { op: 'kill', name: t.name, signal: 'SIGTERM' },
        { op: 'start', name: t.name },
      ]),
    ),
};
