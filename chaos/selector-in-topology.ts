import type { ComponentKind, Topology } from '../system/topology.ts';
import { formatSelector, type Selector } from './select.ts';

/** Why a selector can never match in a topology, found before anything starts. */
export interface TopologyProblem {
  /** `selector-outside-topology`, `selector-count` or `selector-not-static`. */
  code: string;
  message: string;
  fix: string;
  /** The name the selector gave and the names it could have given, for a "did you mean". */
  offending?: string;
  candidates?: string[];
}

/**
 * PURE, before the run: everything a selector names (component, AZ, service, kind) must exist in
 * `topology`, and a role or count must have enough components of its kind to ever match. Live
 * roles (who leads, who is primary) are still resolved at injection time by chaos/select.ts.
 * Empty when the selector can match.
 */
export function selectorInTopology(selector: Selector, topology: Topology): TopologyProblem[] {
  const text = formatSelector(selector);
  const where = `the ${topology.profile} topology`;
  const names = topology.components.map((c) => c.name);
  const azs = topology.azs.map((a) => a.name);
  const ofKind = (kind: ComponentKind) => topology.components.filter((c) => c.kind === kind);
  const outside = (what: string, fix: string, offending?: string, candidates?: string[]) => [
    {
      code: 'selector-outside-topology',
      message: `selector '${text}': ${what} in ${where}`,
      fix,
      ...(offending !== undefined ? { offending } : {}),
      ...(candidates ? { candidates } : {}),
    },
  ];
  const needKind = (kind: ComponentKind, atLeast: number, role: string): TopologyProblem[] => {
    const have = ofKind(kind).length;
    if (have >= atLeast) return [];
    return outside(
      `${role} needs at least ${atLeast} ${kind} component(s), and there ${have === 1 ? 'is' : 'are'} ${have}`,
      `target what ${where} runs; its components: ${names.join(', ')}`,
    );
  };
  const badAz = (az: string) =>
    azs.includes(az as (typeof azs)[number])
      ? null
      : outside(`there is no AZ '${az}'`, `AZs of ${where}: ${azs.join(', ')}`, az, azs);

  switch (selector.by) {
    case 'kafka-controller-leader':
    case 'kafka-partition-leader':
    case 'kafka-most-leaders':
      return needKind('kafka', 1, 'a Kafka role');
    case 'redis-primary':
      return needKind('redis', 1, 'the Redis primary');
    case 'redis-replicas':
      return needKind('redis', 2, 'Redis replicas');
    case 'postgres-primary':
      return needKind('postgres', 1, 'the PostgreSQL primary');
    case 'postgres-standby':
      return needKind('postgres', 2, 'a PostgreSQL standby');
    case 'haproxy':
      return needKind('haproxy', 1, 'the edge');
    case 'az':
      return badAz(selector.az) ?? [];
    case 'service': {
      if (selector.az !== undefined) {
        const bad = badAz(selector.az);
        if (bad) return bad;
      }
      const all = ofKind('service');
      const services = [...new Set(all.map((c) => c.service ?? ''))].filter(Boolean);
      const instances = all.filter(
        (c) => c.service === selector.service && (selector.az === undefined || c.az === selector.az),
      );
      if (instances.length === 0)
        return outside(
          `there is no ${selector.service} instance${selector.az ? ` in ${selector.az}` : ''}`,
          services.length
            ? `services of ${where}: ${services.join(', ')}`
            : `${where} runs no services; bring it up with them`,
          selector.service,
          services,
        );
      if (selector.count !== 'all' && selector.count > instances.length)
        return [
          {
            code: 'selector-count',
            message: `selector '${text}': count=${selector.count}, but ${where} has ${instances.length} ${selector.service} instance(s)${selector.az ? ` in ${selector.az}` : ''} (${instances.map((c) => c.name).join(', ')})`,
            fix: `use count=${instances.length} or less, or all`,
          },
        ];
      return [];
    }
    case 'random': {
      const pool = selector.kind ? ofKind(selector.kind) : topology.components;
      if (pool.length === 0) {
        const kinds = [...new Set(topology.components.map((c) => c.kind))];
        return outside(
          `there is no component of kind ${selector.kind ?? '(any)'}`,
          `kinds in ${where}: ${kinds.join(', ')}`,
          selector.kind,
          kinds,
        );
      }
      if (selector.count > pool.length)
        return [
          {
            code: 'selector-count',
            message: `selector '${text}': count=${selector.count}, but ${where} has ${pool.length} ${selector.kind ? `${selector.kind} ` : ''}component(s)`,
            fix: `use count=${pool.length} or less`,
          },
        ];
      return [];
    }
    case 'name':
      return names.includes(selector.name)
        ? []
        : outside(
            `there is no component named '${selector.name}'`,
            `components of ${where}: ${names.join(', ')}`,
            selector.name,
            names,
          );
    case 'pid':
      return [
        {
          code: 'selector-not-static',
          message: `selector '${text}': a PID is only known once the stack is up, so a scenario cannot name one`,
          fix: `name the component instead, e.g. name:${names[0] ?? 'kafka-1'}, or select it by role`,
        },
      ];
  }
}
