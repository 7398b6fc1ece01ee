import { z } from 'zod';
import { azsOf, type FaultKind, planOf } from './step.ts';

/**
 * The AZ's link goes down, then every process of the targets' AZs dies (network first, so peers
 * see silence, as in a real AZ loss); recovery brings the link up and starts every component of
 * the AZ. `az:az-b` takes az-b; `kafka:controller-leader` takes
 * the AZ the controller is in.
 */
export const azOutageFault: FaultKind<Record<string, never>> = {
  name: 'az-outage',
  description:
    "take the targets' whole AZ down (link down first, then every process dies); recovery brings it up",
  needs: ['azOutage'],
  accepts: 'both',
  paramsHelp: [],
  params: z.strictObject({}),
  plan: (targets) => planOf(azsOf(targets).map((az) => ({ op: 'az-down', az }))),
};
