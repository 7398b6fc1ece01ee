import type { ComponentSpec, Topology } from '../system/topology.ts';
import type { ClusterView } from './cluster-view.ts';
import type { FaultTarget, Step } from './faults/step.ts';
import { type Refusal, refusal } from './refusal.ts';

/**
 * Blast-radius guard: a fault may only touch what this harness brought up, i.e. the topology of
 * the state file (`platform.current()`), or on Kubernetes a namespace labelled
 * `windshear.dev/managed=true`. Everything else is refused with the reason; nothing changes.
 */

export const MANAGED_LABEL = 'windshear.dev/managed';

const OUTSIDE = 'target-outside-topology';

export function guardName(name: string, topology: Topology): ComponentSpec | Refusal {
  const c = topology.components.find((x) => x.name === name);
  return (
    c ??
    refusal(
      OUTSIDE,
      `'${name}' is not a component of the topology windshear brought up`,
      `pick one of: ${topology.components.map((x) => x.name).join(', ')}`,
    )
  );
}

export function guardAz(az: string, topology: Topology): Refusal | null {
  if (topology.azs.some((a) => a.name === az)) return null;
  return refusal(
    OUTSIDE,
    `AZ '${az}' is not one of the AZs windshear brought up`,
    `pick one of: ${topology.azs.map((a) => a.name).join(', ')}`,
  );
}

/** A PID is ours only if the platform's state (the view's processes) lists it. */
export function guardPid(pid: number, view: ClusterView, topology: Topology): ComponentSpec | Refusal {
  const name = Object.entries(view.processes).find(([, p]) => p.pid === pid)?.[0];
  const c = name === undefined ? undefined : topology.components.find((x) => x.name === name);
  return (
    c ??
    refusal(
      OUTSIDE,
      `PID ${pid} is not a process windshear started (not in the platform's state)`,
      'target components by name or role; `windshear status` lists their PIDs',
    )
  );
}

/** Every target must be a component or an AZ of the topology. */
export function guardTargets(targets: readonly FaultTarget[], topology: Topology | null): Refusal | null {
  if (!topology) return notUp();
  for (const t of targets) {
    if (t.kind === 'az') {
      const bad = guardAz(t.name, topology);
      if (bad) return bad;
      continue;
    }
    const c = topology.components.find((x) => x.name === t.name);
    if (!c || c.az !== t.az) {
      return refusal(
        OUTSIDE,
        `'${t.name}' in ${t.az} is not a component of the topology windshear brought up`,
        'check `windshear status`; only components of the running topology can be targeted',
      );
    }
  }
  return null;
}

/** Defence in depth: every name and AZ a step touches must be the topology's. */
export function guardSteps(steps: readonly Step[], topology: Topology | null): Refusal | null {
  if (!topology) return notUp();
  for (const s of steps) {
    switch (s.op) {
      case 'kill':
      case 'start':
      case 'pause':
      case 'resume':
      case 'reconfigure': {
        const r = guardName(s.name, topology);
        if ('refused' in r) return r;
        break;
      }
      case 'partition':
      case 'shape': {
        const r = guardAz(s.spec.az, topology);
        if (r) return r;
        for (const peer of s.op === 'partition' ? (s.spec.from ?? []) : []) {
          const p = peer === 'edge' ? null : guardAz(peer, topology);
          if (p) return p;
        }
        break;
      }
      case 'az-down':
      case 'az-up': {
        const r = guardAz(s.az, topology);
        if (r) return r;
        break;
      }
      case 'heal':
        break;
    }
  }
  return null;
}

/** Kubernetes: only namespaces labelled `windshear.dev/managed=true` may be touched. */
export function guardNamespace(ns: { name: string; labels?: Record<string, string> }): Refusal | null {
  if (ns.labels?.[MANAGED_LABEL] === 'true') return null;
  return refusal(
    'namespace-not-managed',
    `namespace '${ns.name}' is not labelled ${MANAGED_LABEL}=true, so windshear did not bring it up`,
    `target a namespace windshear created, or label it: kubectl label namespace ${ns.name} ${MANAGED_LABEL}=true`,
  );
}

function notUp(): Refusal {
  return refusal(
    'nothing-up',
    'no topology is up (the platform has no state file), so there is nothing windshear may touch',
    'bring the stack up first: `windshear up`',
  );
}
