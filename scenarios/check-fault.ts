import { FAULTS, findFault } from '../chaos/faults/index.ts';
import type { CapabilityName } from '../chaos/faults/step.ts';
import { parseSelector } from '../chaos/select.ts';
import { selectorInTopology } from '../chaos/selector-in-topology.ts';
import { TOPICS } from '../system/contracts.ts';
import { AZS, HTTP_SERVICES, type Topology, WORKER_SERVICES } from '../system/topology.ts';
import { didYouMean } from './closest.ts';

/**
 * The one place scenarios meet chaos/: fault kinds, their parameters and selectors are validated
 * by the fault engineer's own code (chaos/faults, chaos/select.ts), so a scenario that loads is a
 * scenario the fault timeline can run.
 */

export interface FaultIssue {
  /** Path below the fault entry, e.g. `['target']`, `['params', 'delayMs']`. */
  path: (string | number)[];
  code: string;
  message: string;
  fix?: string;
}

const TOPIC_NAMES: readonly string[] = Object.values(TOPICS).map((t) => t.name);
const SERVICES: readonly string[] = [...HTTP_SERVICES, ...WORKER_SERVICES].map((s) => s.service);

/** Selector heads (text before any `(`) a typo is compared against. */
const SELECTOR_HEADS: readonly string[] = [
  'kafka:controller-leader',
  'kafka:partition-leader',
  'kafka:most-leaders',
  'redis:primary',
  'redis:replicas',
  'postgres:primary',
  'postgres:standby',
  ...SERVICES.map((s) => `service:${s}`),
  ...AZS.map((az) => `az:${az}`),
  'random',
  'haproxy',
];

/** Fault kinds chaos/faults implements, in its listing order. */
export function implementedFaultKinds(): string[] {
  return [...FAULTS.keys()];
}

/** Capabilities a fault kind needs (empty for a kind chaos/faults does not know). */
export function faultNeeds(kind: string): readonly CapabilityName[] {
  return findFault(kind)?.needs ?? [];
}

/** Checks a selector's text: grammar (chaos/select.ts), then AZ and topic names. */
export function checkSelector(text: string): { ok: true } | { ok: false; message: string; fix?: string } {
  const parsed = parseSelector(text);
  if (!parsed.ok) {
    const head = text.trim().split('(')[0] ?? '';
    const hint = didYouMean(head, SELECTOR_HEADS);
    return { ok: false, message: parsed.message, fix: `${hint}${parsed.fix ?? ''}`.trim() };
  }
  const s = parsed.selector;
  if (s.by === 'az' && !AZS.some((az) => az === s.az)) {
    return {
      ok: false,
      message: `selector '${text}': unknown AZ '${s.az}'`,
      fix: `${didYouMean(s.az, AZS)}AZs: ${AZS.join(', ')}`,
    };
  }
  if (s.by === 'service' && s.az !== undefined && !AZS.some((az) => az === s.az)) {
    return {
      ok: false,
      message: `selector '${text}': unknown AZ '${s.az}'`,
      fix: `${didYouMean(s.az, AZS)}AZs: ${AZS.join(', ')}`,
    };
  }
  if ((s.by === 'kafka-partition-leader' || s.by === 'kafka-most-leaders') && s.topic !== undefined) {
    const topic = s.topic;
    if (!TOPIC_NAMES.includes(topic)) {
      return {
        ok: false,
        message: `selector '${text}': unknown topic '${topic}'`,
        fix: `${didYouMean(topic, TOPIC_NAMES)}topics: ${TOPIC_NAMES.join(', ')}`,
      };
    }
    if (s.by === 'kafka-partition-leader') {
      const partitions = Object.values(TOPICS).find((t) => t.name === topic)?.partitions ?? 0;
      if (s.partition >= partitions) {
        return {
          ok: false,
          message: `selector '${text}': ${topic} has partitions 0..${partitions - 1}`,
          fix: `use a partition between 0 and ${partitions - 1}`,
        };
      }
    }
  }
  return { ok: true };
}

/**
 * What the selector names that `topology` does not have (chaos/selector-in-topology.ts), as
 * issues at the fault's `target`; empty when the selector does not parse (checkSelector says why).
 */
export function checkSelectorIn(text: string, topology: Topology): FaultIssue[] {
  const parsed = parseSelector(text);
  if (!parsed.ok) return [];
  return selectorInTopology(parsed.selector, topology).map((p) => ({
    path: ['target'],
    code: p.code,
    message: p.message,
    fix: `${p.offending !== undefined && p.candidates ? didYouMean(p.offending, p.candidates) : ''}${p.fix}`,
  }));
}

/**
 * Everything wrong with one fault entry's kind, target and params, all at once. With
 * `topologies` (those of the profiles the scenario runs in), the target must also be able to
 * match in each of them.
 */
export function checkFault(
  entry: {
    fault: string;
    target: string;
    params?: Record<string, unknown>;
  },
  topologies: readonly Topology[] = [],
): FaultIssue[] {
  const kind = findFault(entry.fault);
  if (!kind) {
    return [
      {
        path: ['fault'],
        code: 'unknown-fault',
        message: `fault kind "${entry.fault}" is not implemented by chaos/faults`,
        fix: `${didYouMean(entry.fault, FAULTS.keys())}fault kinds: ${[...FAULTS.keys()].join(', ')}`,
      },
    ];
  }
  const issues: FaultIssue[] = [];
  const sel = checkSelector(entry.target);
  if (!sel.ok) {
    issues.push({
      path: ['target'],
      code: 'bad-selector',
      message: sel.message,
      ...(sel.fix ? { fix: sel.fix } : {}),
    });
  } else {
    for (const t of topologies) issues.push(...checkSelectorIn(entry.target, t));
    const isAz = entry.target.trim().startsWith('az:');
    if (isAz && kind.accepts === 'components') {
      issues.push({
        path: ['target'],
        code: 'bad-selector',
        message: `fault ${entry.fault} acts on components, not on a whole AZ ('${entry.target}')`,
        fix: 'use fault: az-outage (or partition) for a whole AZ, or select components, e.g. service:stream(az=az-b)',
      });
    }
    if (!isAz && kind.accepts === 'azs') {
      issues.push({
        path: ['target'],
        code: 'bad-selector',
        message: `fault ${entry.fault} acts on a whole AZ, not on '${entry.target}'`,
        fix: `select an AZ: ${AZS.map((az) => `az:${az}`).join(', ')}`,
      });
    }
  }
  const params = kind.checkParams(entry.params ?? {});
  if (!params.ok) {
    for (const p of params.problems) {
      const sub = (p.path ?? 'params').split('.').filter((s) => s !== '');
      issues.push({ path: sub, code: p.code, message: p.message, ...(p.fix ? { fix: p.fix } : {}) });
    }
  }
  return issues;
}
