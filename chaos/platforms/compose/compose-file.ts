import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import type { ComponentSpec, Profile, Topology } from '../../../system/topology.ts';
import { componentsOf } from '../../../system/topology.ts';
import { type BuildContext, JIT_FLAGS, opensearchHeap, serviceEnv } from '../local/components.ts';
import { kafkaClusterId, SAFE_KAFKA } from '../local/configs/kafka-config.ts';
import { SAFE_REDIS } from '../local/configs/redis-config.ts';
import { COMPOSE_NETWORK, COMPOSE_PROJECT, CONTAINER_DATA } from './compose-topology.ts';
import { type ImageKind, imageRef } from './image-plan.ts';

/** Labels every object of the project carries: the blast-radius guard of later faults. */
export const LABELS = {
  project: 'windshear.project',
  az: 'windshear.az',
  role: 'windshear.role',
  component: 'windshear.component',
  initialRole: 'windshear.initial-role',
} as const;

/** The one-shot container that waits for readiness and loads the data (compose-bootstrap.ts). */
export const BOOTSTRAP = { name: 'bootstrap', host: `${COMPOSE_NETWORK.prefix}.0.20` } as const;

const IMAGE_OF: Record<ComponentSpec['kind'], ImageKind> = {
  kafka: 'kafka',
  redis: 'redis',
  sentinel: 'redis',
  postgres: 'postgres',
  'pg-monitor': 'postgres',
  opensearch: 'opensearch',
  haproxy: 'haproxy',
  service: 'services',
};

/** Same id on every run: KRaft storage of each node is formatted with it (16 bytes of a hash). */
export const composeKafkaClusterId = (profile: Profile) =>
  kafkaClusterId(createHash('sha256').update(`windshear-compose-${profile}`).digest().subarray(0, 16));

/**
 * Docker's health checks, for `docker compose ps` and a hand-run `up --wait`; windshear waits for
 * its own readiness checks (compose-readiness.ts) and nothing waits on these. Each probe is a
 * runc exec in the container: with 31 containers probed every 3-5 s (8.3 a second), Docker's
 * shims, dockerd and containerd took 51 % of one of the 2 cores during broker-loss, and the load
 * engine waited for CPU 12 times as long as it ran (1 % ran, 12 % waited: late sends). Every
 * 30 s is 1 a second. The daemon 20.10 (API 1.41) has no `start_interval` (API 1.44): it would be
 * ignored. Failures in the first 300 s (start_period) do not count; then 3 in a row are unhealthy.
 */
export const HEALTH_INTERVAL_S = 30;
const check = (test: string[]) => ({
  test: ['CMD', ...test],
  interval: `${HEALTH_INTERVAL_S}s`,
  timeout: '3s',
  retries: 3,
  start_period: '300s',
});
const httpOk = (url: string) => ['curl', '-fsS', '-o', '/dev/null', '--max-time', '2', url];

function healthcheck(c: ComponentSpec) {
  switch (c.kind) {
    case 'kafka':
      return check(['bash', '-c', `</dev/tcp/${c.host}/${c.ports.client}`]);
    case 'redis':
    case 'sentinel':
      return check(['redis-cli', '-h', c.host, '-p', String(c.ports.client), 'ping']);
    case 'postgres':
    case 'pg-monitor':
      return check(['/usr/local/bin/ws-health']);
    case 'opensearch':
      return check(httpOk(`http://${c.host}:${c.ports.http}/`));
    case 'haproxy':
      return check(httpOk(`http://127.0.0.1:${c.ports.stats}/stats`));
    case 'service':
      return check(httpOk(`http://${c.host}:${c.ports.http}/readyz`));
  }
}

const started = (names: string[]) =>
  Object.fromEntries(names.map((n) => [n, { condition: 'service_started' as const }]));
const AFTER_BOOTSTRAP = { [BOOTSTRAP.name]: { condition: 'service_completed_successfully' } };

/**
 * Start order without waiting on Docker's health checks (every 30 s, HEALTH_INTERVAL_S): the
 * PostgreSQL entrypoint waits for the monitor (the primary) or the registered primary (the
 * standby), the bootstrap runs the local platform's readiness checks itself, and the services and
 * HAProxy start when it has exited 0 (HAProxy's own checks find the services ready).
 */
function dependsOn(t: Topology, c: ComponentSpec): Record<string, { condition: string }> | undefined {
  const names = (kind: ComponentSpec['kind']) => componentsOf(t, kind).map((x) => x.name);
  switch (c.kind) {
    case 'postgres': {
      if (c.initialRole === 'primary') return started(names('pg-monitor'));
      const primary = componentsOf(t, 'postgres').find((p) => p.initialRole === 'primary');
      return started([...names('pg-monitor'), ...(primary ? [primary.name] : [])]);
    }
    case 'sentinel':
      return started(names('redis'));
    case 'service':
    case 'haproxy':
      return AFTER_BOOTSTRAP;
    default:
      return undefined;
  }
}

function environment(t: Topology, c: ComponentSpec, ctx: BuildContext): Record<string, string> {
  const env: Record<string, string> = { WS_NAME: c.name };
  if (c.kind === 'kafka') env.KAFKA_CLUSTER_ID = composeKafkaClusterId(t.profile);
  if (c.kind === 'opensearch') env.OPENSEARCH_HEAP = opensearchHeap(t);
  // C1 only, as on the local platform (why: JIT_FLAGS in local/components.ts).
  if (c.kind === 'kafka' || c.kind === 'opensearch') env.JAVA_JIT_FLAGS = JIT_FLAGS.join(' ');
  if (c.kind === 'service') Object.assign(env, serviceEnv(ctx, c));
  return env;
}

/**
 * compose.yaml for a topology (composeTopology): one container per component at its address,
 * each AZ a /24 of the project's network, labels with project, AZ and role, health checks, and
 * start order by health (monitor → PostgreSQL primary → standby; every stateful tier healthy →
 * bootstrap → services → HAProxy). HAProxy's frontend and stats are published on 127.0.0.1.
 */
export function composeFile(t: Topology): string {
  const ctx: BuildContext = {
    topology: t,
    dataRoot: CONTAINER_DATA,
    logsDir: CONTAINER_DATA,
    kafkaSafety: SAFE_KAFKA,
    redisSafety: SAFE_REDIS,
  };
  const labels = (c: { name: string; az: string; role: string; initialRole?: string }) => ({
    [LABELS.project]: COMPOSE_PROJECT,
    [LABELS.az]: c.az,
    [LABELS.role]: c.role,
    [LABELS.component]: c.name,
    ...(c.initialRole ? { [LABELS.initialRole]: c.initialRole } : {}),
  });
  const stateful = t.components
    .filter((c) => c.kind !== 'service' && c.kind !== 'haproxy')
    .map((c) => c.name);
  const services: Record<string, unknown> = {};
  for (const c of t.components) {
    const depends = dependsOn(t, c);
    services[c.name] = {
      image: imageRef(IMAGE_OF[c.kind], t.profile),
      hostname: c.name,
      environment: environment(t, c, ctx),
      labels: labels({
        name: c.name,
        az: c.az,
        role: c.service ?? c.kind,
        ...(c.initialRole ? { initialRole: c.initialRole } : {}),
      }),
      networks: { [COMPOSE_NETWORK.name]: { ipv4_address: c.host } },
      ...(c.kind === 'haproxy'
        ? {
            ports: [
              `127.0.0.1:${t.edge.port}:${c.ports.http}`,
              `127.0.0.1:${t.edge.statsPort}:${c.ports.stats}`,
            ],
          }
        : {}),
      healthcheck: healthcheck(c),
      ...(depends ? { depends_on: depends } : {}),
    };
    if (c.kind === 'haproxy') {
      services[BOOTSTRAP.name] = {
        image: imageRef('services', t.profile),
        command: ['/opt/windshear/compose-bootstrap.mjs'],
        environment: { WS_PROFILE: t.profile, CATALOGUE_SEED: '42' },
        labels: labels({ name: BOOTSTRAP.name, az: 'edge', role: 'bootstrap' }),
        networks: { [COMPOSE_NETWORK.name]: { ipv4_address: BOOTSTRAP.host } },
        restart: 'no',
        depends_on: started(stateful),
      };
    }
  }
  const doc = {
    name: COMPOSE_PROJECT,
    networks: {
      [COMPOSE_NETWORK.name]: {
        name: COMPOSE_NETWORK.name,
        labels: { [LABELS.project]: COMPOSE_PROJECT },
        ipam: { config: [{ subnet: COMPOSE_NETWORK.subnet }] },
      },
    },
    services,
  };
  const head = [
    `# The ${t.profile} profile of windshear's reference platform (compose/README.md).`,
    '# Generated by `npm run compose:generate` from chaos/platforms/compose/compose-file.ts: do not edit.',
    '# Images: `npm run compose:images` (built locally from Debian packages), then `docker compose up -d --wait` (health every 30 s).',
    '',
  ].join('\n');
  return head + stringify(doc, { lineWidth: 0 });
}
