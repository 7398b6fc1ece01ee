import type { AzName } from '../../../lib/run-format.ts';
import {
  AZS,
  buildTopology,
  type ComponentKind,
  type Profile,
  type Topology,
} from '../../../system/topology.ts';

/** The Compose project's one network: each AZ is its own /24 inside it (10.78.<1|2|3>.0/24). */
export const COMPOSE_NETWORK = { name: 'windshear', subnet: '10.78.0.0/16', prefix: '10.78' } as const;
export const COMPOSE_PROJECT = 'windshear';
/** Where every container keeps its state (in the container's own layer: `down` removes it). */
export const CONTAINER_DATA = '/var/lib/windshear';

/** Last octet of a component's address inside its AZ's /24; services count up from 100. */
const HOST_OCTET: Record<ComponentKind, number> = {
  haproxy: 10,
  kafka: 11,
  redis: 21,
  sentinel: 22,
  postgres: 31,
  'pg-monitor': 32,
  opensearch: 41,
  service: 100,
};

const azOctet = (az: AzName | 'edge') => (az === 'edge' ? 0 : AZS.indexOf(az) + 1);

/**
 * The profile's topology with one address per container: the same components, names, ports and
 * AZs as the local platform, each on its own address in its AZ's /24 (the local platform gives
 * every component of an AZ the namespace's one address). HAProxy sits outside the AZs (the
 * edge, 10.78.0.10) and listens on every address of its container; Compose publishes its
 * frontend and stats on the host's 127.0.0.1.
 */
export function composeTopology(profile: Profile): Topology {
  const base = buildTopology({ profile, network: 'netns' });
  const servicesSeen = new Map<string, number>();
  const components = base.components.map((c) => {
    let octet = HOST_OCTET[c.kind];
    if (c.kind === 'service') {
      const n = servicesSeen.get(c.az) ?? 0;
      servicesSeen.set(c.az, n + 1);
      octet += n;
    }
    return { ...c, host: `${COMPOSE_NETWORK.prefix}.${azOctet(c.az)}.${octet}` };
  });
  return {
    ...base,
    bridge: { name: COMPOSE_NETWORK.name, address: `${COMPOSE_NETWORK.prefix}.0.1`, prefix: 16 },
    azs: base.azs.map((a) => ({
      ...a,
      namespace: null,
      address: `${COMPOSE_NETWORK.prefix}.${azOctet(a.name)}.0`,
    })),
    components,
    edge: { ...base.edge, host: '0.0.0.0' },
  };
}
