import type { Problem } from '../../lib/errors.ts';
import { azOutageFault } from './az-outage.ts';
import { bandwidthFault } from './bandwidth.ts';
import { delayFault } from './delay.ts';
import { ingressPauseFault } from './ingress-pause.ts';
import { killFault } from './kill.ts';
import { lossFault } from './loss.ts';
import { partitionFault } from './partition.ts';
import { pauseFault } from './pause.ts';
import { restartFault } from './restart.ts';
import type { FaultKind, FaultTarget, Plan } from './step.ts';
import { terminateFault } from './terminate.ts';
import { unsafeConfigFault } from './unsafe-config.ts';

export type { FaultKind, FaultTarget, Plan, Step } from './step.ts';

/** A fault kind with its parameter type erased: parameters go in raw, are validated, then planned. */
export interface RegisteredFault extends Omit<FaultKind<unknown>, 'params' | 'plan'> {
  /** Validates raw params (CLI strings or scenario values); every problem at once. */
  checkParams(raw: Record<string, unknown>): { ok: true } | { ok: false; problems: Problem[] };
  /** Pure: validated params and resolved targets to a plan. */
  build(
    targets: readonly FaultTarget[],
    raw: Record<string, unknown>,
  ): { ok: true; plan: Plan } | { ok: false; problems: Problem[] };
}

function register<P>(f: FaultKind<P>): RegisteredFault {
  const parse = (raw: Record<string, unknown>) => {
    const r = f.params.safeParse(raw);
    if (r.success) return { ok: true as const, params: r.data };
    const problems: Problem[] = r.error.issues.map((i) => ({
      code: 'fault-param',
      message: `${f.name}: ${i.path.length ? `param ${i.path.join('.')}: ` : ''}${i.message}`,
      path: ['params', ...i.path.map(String)].join('.'),
      fix: f.paramsHelp.length
        ? `${f.name} takes: ${f.paramsHelp.join('; ')}`
        : `${f.name} takes no parameters; remove them`,
    }));
    return { ok: false as const, problems };
  };
  const { params: _params, plan: _plan, ...meta } = f;
  return {
    ...meta,
    checkParams: (raw) => {
      const p = parse(raw);
      return p.ok ? { ok: true } : p;
    },
    build: (targets, raw) => {
      const p = parse(raw);
      return p.ok ? { ok: true, plan: f.plan(targets, p.params) } : p;
    },
  };
}

/** Every fault kind, by name, in `windshear chaos list` order. */
export const FAULTS: ReadonlyMap<string, RegisteredFault> = new Map(
  [
    register(killFault),
    register(terminateFault),
    register(pauseFault),
    register(restartFault),
    register(azOutageFault),
    register(partitionFault),
    register(delayFault),
    register(lossFault),
    register(bandwidthFault),
    register(ingressPauseFault),
    register(unsafeConfigFault),
  ].map((f) => [f.name, f]),
);

export function findFault(name: string): RegisteredFault | undefined {
  return FAULTS.get(name);
}
