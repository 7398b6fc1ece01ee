import type { z } from 'zod';
import type { AzName } from '../../lib/run-format.ts';
import type { ComponentKind } from '../../system/topology.ts';
import type { Capabilities, PartitionSpec, ShapeSpec } from '../platforms/platform.ts';

/**
 * A step is one platform primitive as data. Faults only produce steps; the executor
 * (chaos/run-fault.ts) runs them, registering each apply step's undo before running it.
 */
export type Step =
  | { op: 'kill'; name: string; signal: 'SIGKILL' | 'SIGTERM' }
  | { op: 'start'; name: string }
  | { op: 'pause'; name: string }
  | { op: 'resume'; name: string }
  /** `ref` names the rule id this step returns, for a later `heal`. */
  | { op: 'partition'; spec: PartitionSpec; ref: string }
  | { op: 'shape'; spec: ShapeSpec; ref: string }
  /** Removes the rule an earlier step named `ref` returned. */
  | { op: 'heal'; ref: string }
  | { op: 'az-down'; az: AzName }
  | { op: 'az-up'; az: AzName }
  /** Restart a service with these environment overrides; `{}` restores its own configuration. */
  | { op: 'reconfigure'; name: string; env: Record<string, string> };

export interface Plan {
  apply: Step[];
  /** The undo of every apply step, last first; what `recover` and `heal` run. */
  recover: Step[];
}

/** A resolved target as a fault sees it: a component, or a whole AZ (`kind: 'az'`). */
export interface FaultTarget {
  /** Component instance name, or the AZ name for `kind: 'az'`. */
  name: string;
  az: AzName | 'edge';
  /** Role at resolution time, e.g. `controller-leader`, `primary`, `replica`, `az`. */
  role?: string;
  kind: ComponentKind | 'az';
  /** TCP ports the component listens on (empty for an AZ). */
  ports: number[];
}

export type CapabilityName = keyof Omit<Capabilities, 'missing'>;

/** What a fault does, as pure data plus a pure plan. */
export interface FaultKind<P> {
  name: string;
  /** One line for `windshear chaos list`. */
  description: string;
  needs: readonly CapabilityName[];
  /** Which targets make sense: components, whole AZs (`az:` selectors), or both. */
  accepts: 'components' | 'azs' | 'both';
  /** Selector used when none is given (e.g. `haproxy` for ingress-pause). */
  defaultSelector?: string;
  /** True when the fault is meaningless without a duration (`--for`, scenario `forSec`). */
  requiresFor?: boolean;
  /** `k=v` help for `--param`, one entry per parameter. */
  paramsHelp: string[];
  /** Validates and coerces parameters (strings from the CLI, numbers from scenario files). */
  params: z.ZodType<P>;
  plan(targets: readonly FaultTarget[], params: P): Plan;
}

/** The undo of one apply step; null when the step needs none. */
export function undoOf(step: Step): Step | null {
  switch (step.op) {
    case 'kill':
      return { op: 'start', name: step.name };
    case 'pause':
      return { op: 'resume', name: step.name };
    case 'partition':
    case 'shape':
      return { op: 'heal', ref: step.ref };
    case 'az-down':
      return { op: 'az-up', az: step.az };
    case 'reconfigure':
      return Object.keys(step.env).length > 0 ? { op: 'reconfigure', name: step.name, env: {} } : null;
    case 'start':
    case 'resume':
    case 'heal':
    case 'az-up':
      return null;
  }
}

/** Builds a plan whose recovery is exactly the undo of every apply step, in reverse. */
export function planOf(apply: Step[]): Plan {
  const recover = apply
    .map(undoOf)
    .filter((s): s is Step => s !== null)
    .reverse();
  return { apply, recover };
}

/** A one-line human form of a step, used as `action` in fault-step events. */
export function describeStep(step: Step): string {
  switch (step.op) {
    case 'kill':
      return `kill ${step.name} ${step.signal}`;
    case 'start':
    case 'pause':
    case 'resume':
      return `${step.op} ${step.name}`;
    case 'partition': {
      const s = step.spec;
      const ports = s.ports ? ` ports ${s.ports.join(',')}` : '';
      const from = s.from ? ` from ${s.from.join(',')}` : '';
      return `partition ${s.az}${ports}${from} ${s.direction} as ${step.ref}`;
    }
    case 'shape': {
      const s = step.spec;
      const parts = [
        s.delayMs !== undefined ? `delay ${s.delayMs}ms` : '',
        s.jitterMs !== undefined ? `jitter ${s.jitterMs}ms` : '',
        s.lossPercent !== undefined ? `loss ${s.lossPercent}%` : '',
        s.rateKbit !== undefined ? `rate ${s.rateKbit}kbit` : '',
      ].filter(Boolean);
      const ports = s.ports ? ` ports ${s.ports.join(',')}` : '';
      return `shape ${s.az}${ports} ${parts.join(' ')} as ${step.ref}`;
    }
    case 'heal':
      return `heal ${step.ref}`;
    case 'az-down':
    case 'az-up':
      return `${step.op} ${step.az}`;
    case 'reconfigure': {
      const env = Object.entries(step.env).map(([k, v]) => `${k}=${v}`);
      return env.length
        ? `reconfigure ${step.name} ${env.join(' ')}`
        : `reconfigure ${step.name} as configured`;
    }
  }
}

/** Distinct AZs of the targets, in first-seen order; `edge` is not an AZ. */
export function azsOf(targets: readonly FaultTarget[]): AzName[] {
  const out: AzName[] = [];
  for (const t of targets) if (t.az !== 'edge' && !out.includes(t.az)) out.push(t.az);
  return out;
}
