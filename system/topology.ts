import type { AzName } from '../lib/run-format.ts';

/**
 * What runs where. A topology is plain data built by a pure function; platforms bring it up,
 * selectors resolve roles against it, probes find addresses in it.
 */

export type Profile = 'ci' | 'full';
export const PROFILES: readonly Profile[] = ['ci', 'full'];

/** `netns`: each AZ is a Linux network namespace (root only); `loopback`: 127.0.N.1 per AZ. */
export type NetworkMode = 'netns' | 'loopback';

export const AZS: readonly AzName[] = ['az-a', 'az-b', 'az-c'];

export type ComponentKind =
  | 'kafka'
  | 'redis'
  | 'sentinel'
  | 'postgres'
  | 'pg-monitor'
  | 'opensearch'
  | 'haproxy'
  | 'service';

export interface ComponentSpec {
  /** Unique instance name, e.g. `kafka-1`, `redis-a`, `pg-a`, `search-api-a1`. */
  name: string;
  kind: ComponentKind;
  /** `edge` is the host side: the ingress sits outside every AZ, like a regional load balancer. */
  az: AzName | 'edge';
  /** Address the component binds and announces. */
  host: string;
  /** Named ports, e.g. `{ client: 9092, controller: 9093 }`. */
  ports: Record<string, number>;
  /** Kafka node id (broker and controller in one process). */
  nodeId?: number;
  /** For `kind: 'service'`: which service of system/ it runs. */
  service?: ServiceName;
  /** Role when the stack comes up; the live role is what probes report. */
  initialRole?: 'primary' | 'replica' | 'monitor';
}

export type ServiceName = 'search-api' | 'reservations' | 'booking' | 'ingest' | 'stream';

/** HTTP services behind the ingress, and the HAProxy path prefixes routed to them. */
export const HTTP_SERVICES: { service: ServiceName; port: number; paths: string[] }[] = [
  { service: 'search-api', port: 7001, paths: ['/v1/search', '/v1/flights'] },
  {
    service: 'reservations',
    port: 7002,
    paths: ['/v1/reservations', '/v1/monitoring/reservations'],
  },
  { service: 'booking', port: 7003, paths: ['/v1/bookings'] },
];

/** Background workers: one per AZ, no ingress route; they expose /healthz, /readyz, /metrics. */
export const WORKER_SERVICES: { service: ServiceName; port: number }[] = [
  { service: 'ingest', port: 7101 },
  { service: 'stream', port: 7102 },
];

export interface AzSpec {
  name: AzName;
  /** Network namespace name in `netns` mode, e.g. `ws-az-a`; null in loopback mode. */
  namespace: string | null;
  address: string;
}

export interface Topology {
  profile: Profile;
  network: NetworkMode;
  /** Bridge joining the AZ namespaces (netns mode). */
  bridge: { name: string; address: string; prefix: number } | null;
  azs: AzSpec[];
  components: ComponentSpec[];
  /** Where the harness reaches the platform: HAProxy's frontend on the host. */
  edge: { host: string; port: number; statsPort: number };
}

export interface TopologyOptions {
  profile: Profile;
  network: NetworkMode;
  /** First three octets of the AZ subnet in netns mode. */
  subnet?: string;
  /** API replicas of each HTTP service per AZ (default 1 in ci, 2 in full). */
  replicasPerAz?: number;
  /** Include the services of system/ (false brings up infrastructure only). */
  services?: boolean;
}

export const PORTS = {
  kafkaClient: 9092,
  kafkaController: 9093,
  redis: 6379,
  sentinel: 26379,
  postgres: 5432,
  pgMonitor: 5431,
  opensearchHttp: 9201,
  opensearchTransport: 9300,
  edge: 18080,
  edgeStats: 18081,
} as const;

const AZ_INDEX: Record<AzName, number> = { 'az-a': 1, 'az-b': 2, 'az-c': 3 };

export function azAddress(az: AzName, network: NetworkMode, subnet = '10.77.0'): string {
  return network === 'netns' ? `${subnet}.${10 + AZ_INDEX[az]}` : `127.0.${AZ_INDEX[az]}.1`;
}

export function buildTopology(opts: TopologyOptions): Topology {
  const subnet = opts.subnet ?? '10.77.0';
  const replicas = opts.replicasPerAz ?? (opts.profile === 'full' ? 2 : 1);
  const azs: AzSpec[] = AZS.map((name) => ({
    name,
    namespace: opts.network === 'netns' ? `ws-${name}` : null,
    address: azAddress(name, opts.network, subnet),
  }));
  const at = (az: AzName) => azAddress(az, opts.network, subnet);
  const letter = (az: AzName) => az.slice(-1);
  const components: ComponentSpec[] = [];

  AZS.forEach((az, i) => {
    components.push({
      name: `kafka-${i + 1}`,
      kind: 'kafka',
      az,
      host: at(az),
      nodeId: i + 1,
      ports: { client: PORTS.kafkaClient, controller: PORTS.kafkaController },
    });
  });
  for (const az of AZS) {
    components.push({
      name: `redis-${letter(az)}`,
      kind: 'redis',
      az,
      host: at(az),
      ports: { client: PORTS.redis },
      initialRole: az === 'az-a' ? 'primary' : 'replica',
    });
  }
  for (const az of AZS) {
    components.push({
      name: `sentinel-${letter(az)}`,
      kind: 'sentinel',
      az,
      host: at(az),
      ports: { client: PORTS.sentinel },
    });
  }
  components.push(
    {
      name: 'pg-a',
      kind: 'postgres',
      az: 'az-a',
      host: at('az-a'),
      ports: { client: PORTS.postgres },
      initialRole: 'primary',
    },
    {
      name: 'pg-b',
      kind: 'postgres',
      az: 'az-b',
      host: at('az-b'),
      // Its own port: every PostgreSQL socket shares one directory on the host's filesystem.
      ports: { client: PORTS.postgres + 1 },
      initialRole: 'replica',
    },
    {
      name: 'pg-monitor',
      kind: 'pg-monitor',
      az: 'az-c',
      host: at('az-c'),
      ports: { client: PORTS.pgMonitor },
      initialRole: 'monitor',
    },
  );
  // Seed 000: three search data nodes, one per AZ, one replica per shard. Same ports on every
  // node: each binds its own AZ address.
  for (const az of AZS) {
    components.push({
      name: `opensearch-${letter(az)}`,
      kind: 'opensearch',
      az,
      host: at(az),
      ports: { http: PORTS.opensearchHttp, transport: PORTS.opensearchTransport },
    });
  }
  components.push({
    name: 'haproxy',
    kind: 'haproxy',
    az: 'edge',
    host: '127.0.0.1',
    ports: { http: PORTS.edge, stats: PORTS.edgeStats },
  });
  if (opts.services ?? true) {
    for (const az of AZS) {
      for (const svc of HTTP_SERVICES) {
        for (let r = 1; r <= replicas; r++) {
          components.push({
            name: `${svc.service}-${letter(az)}${r}`,
            kind: 'service',
            service: svc.service,
            az,
            host: at(az),
            ports: { http: svc.port + (r - 1) * 10 },
          });
        }
      }
      for (const w of WORKER_SERVICES) {
        components.push({
          name: `${w.service}-${letter(az)}`,
          kind: 'service',
          service: w.service,
          az,
          host: at(az),
          ports: { http: w.port },
        });
      }
    }
  }

  return {
    profile: opts.profile,
    network: opts.network,
    bridge: opts.network === 'netns' ? { name: 'ws-br0', address: `${subnet}.1`, prefix: 24 } : null,
    azs,
    components,
    edge: { host: '127.0.0.1', port: PORTS.edge, statsPort: PORTS.edgeStats },
  };
}

/**
 * The topology a profile brings up, for checks before anything starts: component names, kinds,
 * services and AZs do not depend on the network mode, so loopback stands for both.
 */
export function profileTopology(profile: Profile): Topology {
  return buildTopology({ profile, network: 'loopback' });
}

export function componentsOf(topology: Topology, kind: ComponentKind): ComponentSpec[] {
  return topology.components.filter((c) => c.kind === kind);
}

export function kafkaBootstrap(topology: Topology): string[] {
  return componentsOf(topology, 'kafka').map((c) => `${c.host}:${c.ports.client}`);
}
