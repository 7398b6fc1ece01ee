import { chmodSync, chownSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Problem, WindshearError } from '../../../lib/errors.ts';
import { exec, isRoot } from '../../../lib/exec.ts';
import { REPO_ROOT } from '../../../lib/paths.ts';
import { kafkaHome, opensearchHome } from '../../../setup/maven.ts';
import {
  DEFAULT_API_KEY,
  PG_DATABASE,
  REDIS_MASTER_NAME,
  type ServiceEnv,
} from '../../../system/contracts.ts';
import type { ComponentSpec, Topology } from '../../../system/topology.ts';
import { componentsOf, kafkaBootstrap } from '../../../system/topology.ts';
import { haproxyConfig } from './configs/haproxy-config.ts';
import { KAFKA_LOG4J2, type KafkaSafety, kafkaServerProperties } from './configs/kafka-config.ts';
import { opensearchYml } from './configs/opensearch-config.ts';
import { type RedisSafety, redisConf, sentinelConf } from './configs/redis-config.ts';
import { dirAccessProblems, entryOf, idsOf, kernelProbe, localNames, relocateFix } from './dir-access.ts';
import { OPENSEARCH_NODE_MAIN, opensearchNodeClasses } from './opensearch/opensearch-node-classes.ts';
import type { LaunchSpec } from './processes.ts';
import { SERVICE_BUNDLE } from './service-bundle.ts';

export interface BuildContext {
  topology: Topology;
  dataRoot: string;
  logsDir: string;
  kafkaSafety: KafkaSafety;
  redisSafety: RedisSafety;
  /** Aborted when `up` has failed elsewhere: readiness waits stop at their next poll. */
  signal?: AbortSignal;
}

const BASE_PATH = '/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const baseEnv = (extra: Record<string, string> = {}): Record<string, string> => ({
  PATH: `${BASE_PATH}:${process.env.PATH ?? ''}`,
  LANG: 'C.UTF-8',
  ...extra,
});

const nsOf = (t: Topology, c: ComponentSpec): string | null =>
  c.az === 'edge' ? null : (t.azs.find((a) => a.name === c.az)?.namespace ?? null);

function spec(
  ctx: BuildContext,
  c: ComponentSpec,
  argv: string[],
  more: Partial<LaunchSpec> = {},
): LaunchSpec {
  return {
    argv,
    env: baseEnv(),
    netns: nsOf(ctx.topology, c),
    user: null,
    cwd: dataDir(ctx, c),
    log: join(ctx.logsDir, `${c.name}.log`),
    ...more,
  };
}

export const dataDir = (ctx: BuildContext, c: ComponentSpec) => join(ctx.dataRoot, c.name);

/** Writes server.properties and formats the KRaft storage (same cluster id on every node). */
export async function prepareKafka(
  ctx: BuildContext,
  c: ComponentSpec,
  clusterId: string,
): Promise<LaunchSpec> {
  const dir = dataDir(ctx, c);
  const logDir = join(dir, 'log');
  mkdirSync(logDir, { recursive: true });
  const props = join(dir, 'server.properties');
  writeFileSync(props, kafkaServerProperties(ctx.topology, c, logDir, ctx.kafkaSafety));
  writeFileSync(join(dir, 'log4j2.properties'), KAFKA_LOG4J2);
  const cp = `${join(kafkaHome(), 'libs')}/*`;
  const jvm = [
    'java',
    '-Xms256m',
    '-Xmx512m',
    ...JIT_FLAGS,
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-Djava.awt.headless=true',
  ];
  const log4j = `-Dlog4j2.configurationFile=${join(dir, 'log4j2.properties')}`;
  const fmt = await exec(
    'java',
    [
      '-Xmx256m',
      log4j,
      '-cp',
      cp,
      'kafka.tools.StorageTool',
      'format',
      '-t',
      clusterId,
      '-c',
      props,
      '--ignore-formatted',
    ],
    { timeoutMs: 120_000 },
  );
  if (fmt.exitCode !== 0)
    throw new Error(`kafka storage format for ${c.name} failed: ${fmt.stderr || fmt.stdout}`);
  return spec(ctx, c, [...jvm, log4j, `-Dkafka.logs.dir=${dir}`, '-cp', cp, 'kafka.Kafka', props]);
}

/**
 * The JVMs (3 Kafka brokers, 3 OpenSearch nodes) compile with C1 only. In a baseline-control
 * run 2 min after a fresh `up`, the JIT compiler threads (C2, then C1) used more CPU than any
 * other thread of kafka-1 and of opensearch-a (JFR ThreadCPULoad over 40 s); on 2 cores that
 * is taken from the load, and at this load C2's faster code does not earn its compile time back.
 */
export const JIT_FLAGS = ['-XX:TieredStopAtLevel=1'];

export function prepareRedis(ctx: BuildContext, c: ComponentSpec): LaunchSpec {
  const dir = dataDir(ctx, c);
  mkdirSync(dir, { recursive: true });
  const primary = componentsOf(ctx.topology, 'redis').find((r) => r.initialRole === 'primary')!;
  writeFileSync(join(dir, 'redis.conf'), redisConf(c, primary, dir, ctx.redisSafety));
  return spec(ctx, c, ['redis-server', join(dir, 'redis.conf')]);
}

export function prepareSentinel(ctx: BuildContext, c: ComponentSpec): LaunchSpec {
  const dir = dataDir(ctx, c);
  mkdirSync(dir, { recursive: true });
  const primary = componentsOf(ctx.topology, 'redis').find((r) => r.initialRole === 'primary')!;
  writeFileSync(join(dir, 'sentinel.conf'), sentinelConf(c, primary, dir));
  return spec(ctx, c, ['redis-sentinel', join(dir, 'sentinel.conf')]);
}

/** JVM heap of each OpenSearch node (three nodes). */
export const opensearchHeap = (t: Topology) => (t.profile === 'full' ? '768m' : '512m');

/**
 * One node of the three-AZ cluster: the codelibs runner's jars, started by WsOpenSearchNode
 * (opensearch/WsOpenSearchNode.java, compiled once into the tool cache) so that the node's own
 * opensearch.yml (name, AZ address, ports, data path, zone) wins over the runner's defaults
 * ("Node 1", port probing, its own paths).
 */
export async function prepareOpensearch(ctx: BuildContext, c: ComponentSpec): Promise<LaunchSpec> {
  const dir = dataDir(ctx, c);
  const base = join(dir, 'base');
  const conf = join(base, 'node_1', 'config');
  mkdirSync(conf, { recursive: true });
  const yml = join(conf, 'opensearch.yml');
  const peers = componentsOf(ctx.topology, 'opensearch');
  writeFileSync(yml, opensearchYml(c, peers, { data: join(dir, 'data'), logs: join(dir, 'logs') }));
  const libs = join(opensearchHome(), 'libs');
  const classes = await opensearchNodeClasses(libs);
  const heap = opensearchHeap(ctx.topology);
  return spec(ctx, c, [
    'java',
    `-Xms${heap}`,
    `-Xmx${heap}`,
    ...JIT_FLAGS,
    '-XX:+UseG1GC',
    '-Djava.awt.headless=true',
    '-cp',
    `${classes}:${libs}/*`,
    OPENSEARCH_NODE_MAIN,
    base,
    yml,
  ]);
}

export function prepareHaproxy(ctx: BuildContext, c: ComponentSpec): LaunchSpec {
  const dir = dataDir(ctx, c);
  mkdirSync(dir, { recursive: true });
  const cfg = join(dir, 'haproxy.cfg');
  writeFileSync(cfg, haproxyConfig(ctx.topology, join(dir, 'admin.sock')));
  return spec(ctx, c, ['haproxy', '-db', '-f', cfg]);
}

/** Environment of a service process (system/contracts.ts ServiceEnv). */
export function serviceEnv(ctx: BuildContext, c: ComponentSpec): ServiceEnv {
  const t = ctx.topology;
  const hp = (k: ComponentSpec) => `${k.host}:${k.ports.client}`;
  // Its own AZ's search node first, the others after: the client fails over in this order.
  const search = componentsOf(t, 'opensearch');
  const ordered = [...search.filter((s) => s.az === c.az), ...search.filter((s) => s.az !== c.az)];
  return {
    WS_SERVICE: c.service ?? '',
    WS_INSTANCE: c.name,
    WS_AZ: String(c.az),
    HOST: c.host,
    PORT: String(c.ports.http),
    KAFKA_BROKERS: kafkaBootstrap(t).join(','),
    REDIS_SENTINELS: componentsOf(t, 'sentinel').map(hp).join(','),
    REDIS_MASTER: REDIS_MASTER_NAME,
    PG_HOSTS: componentsOf(t, 'postgres').map(hp).join(','),
    PG_DATABASE,
    PG_USER: 'postgres',
    OPENSEARCH_URL: ordered.map((s) => `http://${s.host}:${s.ports.http}`).join(','),
    API_KEYS: DEFAULT_API_KEY,
  };
}

/** One part of the system's data, each needing only its own tier: topics, rows, index. */
export type BootstrapPart = 'topics' | 'postgres' | 'index';

/**
 * Creates the system's topics or loads one store of its seeded catalogue (system/bootstrap.ts),
 * as a deploy would. Each part needs only its own tier, so `up` starts it as soon as that tier is
 * ready instead of after the slowest one.
 */
export async function bootstrapPart(
  ctx: BuildContext,
  part: BootstrapPart,
  log: (l: string) => void,
): Promise<void> {
  const { createTopics } = await import('../../../system/topics.ts');
  const { loadCatalogue } = await import('../../../system/catalogue/load-catalogue.ts');
  const first = componentsOf(ctx.topology, 'service')[0];
  if (!first) return;
  const env = serviceEnv(ctx, first);
  if (part === 'topics') {
    const created = await createTopics(env.KAFKA_BROKERS.split(','));
    log(`services: topics created: ${created.join(', ') || 'none (all existed)'}`);
    return;
  }
  const summary = await loadCatalogue({
    pgHosts: env.PG_HOSTS.split(','),
    pgDatabase: env.PG_DATABASE,
    pgUser: env.PG_USER,
    opensearchUrl: env.OPENSEARCH_URL.split(','),
    seed: Number(process.env.CATALOGUE_SEED ?? 42),
    only: part,
  });
  log(
    part === 'postgres'
      ? `services: catalogue rows loaded (${summary.flights} flights, ${summary.fares} fares)`
      : `services: catalogue index loaded (${summary.flights} flights${summary.indexCreated ? ', index created' : ''})`,
  );
}

export function prepareService(
  ctx: BuildContext,
  c: ComponentSpec,
  extraEnv: Record<string, string> = {},
): LaunchSpec {
  mkdirSync(dataDir(ctx, c), { recursive: true });
  const env = { ...baseEnv({ NODE_ENV: 'production' }), ...serviceEnv(ctx, c), ...extraEnv };
  // WINDSHEAR_SERVICE_NODE_ARGS: node flags for every service process, for diagnosis, e.g.
  // `--cpu-prof --cpu-prof-dir=<dir>` (not allowed in NODE_OPTIONS).
  const nodeArgs = (process.env.WINDSHEAR_SERVICE_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  return spec(ctx, c, [process.execPath, ...nodeArgs, SERVICE_BUNDLE], {
    env: env as unknown as Record<string, string>,
    cwd: REPO_ROOT,
  });
}

// ---- PostgreSQL with pg_auto_failover -------------------------------------------------------

/** The database superuser (and, as root, the OS user PostgreSQL runs as: it refuses root). */
export const PG_USER = 'postgres';
/** Without root there is no switching user: PostgreSQL runs as the invoking user. */
const runAsOther = () => isRoot();

/**
 * The OS user a component runs as, when not the one windshear runs as: PostgreSQL (monitor and
 * nodes) as `postgres` when root. It must be able to enter every parent of the data root.
 */
export function runAsUser(c: ComponentSpec): string | null {
  return (c.kind === 'postgres' || c.kind === 'pg-monitor') && runAsOther() ? PG_USER : null;
}

/** Monitor health checks tightened so automatic failover finishes well inside seed 003's 30 s. */
export const MONITOR_SETTINGS: Record<string, number> = {
  'pgautofailover.health_check_period': 2000,
  'pgautofailover.health_check_timeout': 2000,
  'pgautofailover.health_check_max_retries': 1,
  'pgautofailover.health_check_retry_delay': 1000,
  'pgautofailover.node_considered_unhealthy_timeout': 8000,
  'pgautofailover.primary_demote_timeout': 8000,
};

export const pgData = (ctx: BuildContext, c: ComponentSpec) => join(dataDir(ctx, c), 'pgdata');
/**
 * One socket directory for every instance (each has its own port). pg_autoctl connects through
 * `unix_socket_directories`, and a standby inherits the primary's postgresql.conf, so the
 * setting must be the same absolute path on all of them.
 */
export const pgSockets = (ctx: BuildContext) => join(ctx.dataRoot, 'pg-sockets');

function pgEnv(ctx: BuildContext, c: ComponentSpec): Record<string, string> {
  const dir = dataDir(ctx, c);
  return {
    LANG: 'C.UTF-8',
    // Only system paths: pg_autoctl searches PATH for pg_ctl and cannot read root's home.
    PATH: BASE_PATH,
    HOME: dir,
    XDG_CONFIG_HOME: join(dir, 'xdg', 'config'),
    XDG_DATA_HOME: join(dir, 'xdg', 'data'),
    XDG_RUNTIME_DIR: join(dir, 'xdg', 'run'),
    PGHOST: pgSockets(ctx),
  };
}

function ownedDir(path: string, ids: { uid: number; gid: number } | null): void {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  chmodSync(path, 0o700);
  if (ids) chownSync(path, ids.uid, ids.gid);
}

async function pgIds(): Promise<{ uid: number; gid: number } | null> {
  if (!runAsOther()) return null;
  const r = await exec('id', ['-u', PG_USER]);
  const g = await exec('id', ['-g', PG_USER]);
  if (r.exitCode !== 0) throw new Error('user postgres not found: install postgresql-15 (windshear setup)');
  return { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) };
}

async function asPostgres(ctx: BuildContext, c: ComponentSpec, argv: string[]): Promise<void> {
  const [cmd, ...args] = runAsOther()
    ? ['setpriv', `--reuid=${PG_USER}`, `--regid=${PG_USER}`, '--init-groups', ...argv]
    : argv;
  const r = await exec(cmd!, args, {
    env: pgEnv(ctx, c),
    cwd: dataDir(ctx, c),
    timeoutMs: 120_000,
  });
  if (r.exitCode !== 0)
    throw new Error(`${argv.join(' ')} failed for ${c.name}: ${(r.stderr || r.stdout).slice(-600)}`);
}

function hbaLines(ctx: BuildContext): string {
  const net = ctx.topology.bridge
    ? `${ctx.topology.bridge.address}/${ctx.topology.bridge.prefix}`
    : '127.0.0.0/8';
  return `host all all ${net} trust\nhost replication all ${net} trust\nhost all all 127.0.0.0/8 trust\n`;
}

async function ownPgDirs(ctx: BuildContext, c: ComponentSpec): Promise<void> {
  const ids = await pgIds();
  for (const d of [
    pgSockets(ctx),
    dataDir(ctx, c),
    ...['xdg', 'xdg/config', 'xdg/data', 'xdg/run'].map((s) => join(dataDir(ctx, c), s)),
  ]) {
    ownedDir(d, ids);
  }
  // Said here, by directory, user and permission, rather than by initdb's "Permission denied".
  const user = runAsUser(c);
  if (user) {
    const names = localNames();
    const problems: Problem[] = [];
    for (const d of [pgSockets(ctx), dataDir(ctx, c)]) {
      problems.push(
        ...(await dirAccessProblems(
          { dir: d, user, forWhat: c.name, relocate: relocateFix(user) },
          { probe: kernelProbe, entry: entryOf(names), ids: await idsOf(user) },
        )),
      );
    }
    if (problems.length > 0) throw new WindshearError(problems);
    const unwritable = await kernelProbe(user, [dataDir(ctx, c), pgSockets(ctx)], 'wx');
    if (unwritable.length > 0) {
      throw new WindshearError(
        unwritable.map((d) => ({
          code: 'dir-not-writable',
          message: `user ${user} cannot write ${d}, the data of ${c.name}, although windshear made it its owner`,
          fix: `check the file system of ${d} honours ownership (\`stat ${d}\`, \`findmnt -T ${d}\`), or set WINDSHEAR_STATE to a directory on a local file system`,
        })),
      );
    }
  }
}

async function initdb(ctx: BuildContext, c: ComponentSpec, extraConf: string): Promise<void> {
  await ownPgDirs(ctx, c);
  await asPostgres(ctx, c, [
    'initdb',
    '-D',
    pgData(ctx, c),
    '--auth=trust',
    '--data-checksums',
    '-U',
    PG_USER,
  ]);
  const { appendFileSync } = await import('node:fs');
  appendFileSync(join(pgData(ctx, c), 'pg_hba.conf'), hbaLines(ctx));
  appendFileSync(
    join(pgData(ctx, c), 'postgresql.conf'),
    `unix_socket_directories = '${pgSockets(ctx)}'\nlisten_addresses = '${c.host}'\ncheckpoint_timeout = 30s\nmax_connections = 200\nshared_buffers = 64MB\n${extraConf}`,
  );
}

const runArgv = (ctx: BuildContext, c: ComponentSpec) => ['pg_autoctl', 'run', '--pgdata', pgData(ctx, c)];

function pgSpec(ctx: BuildContext, c: ComponentSpec, argv: string[]): LaunchSpec {
  return spec(ctx, c, argv, { user: runAsUser(c), env: pgEnv(ctx, c) });
}

export const monitorUri = (m: ComponentSpec) =>
  `postgres://autoctl_node@${m.host}:${m.ports.client}/pg_auto_failover?sslmode=disable`;

/** initdb + `pg_autoctl create monitor`; returns the spec that runs it. */
export async function prepareMonitor(ctx: BuildContext, c: ComponentSpec): Promise<LaunchSpec> {
  const settings = Object.entries(MONITOR_SETTINGS)
    .map(([k, v]) => `${k} = ${v}\n`)
    .join('');
  await initdb(ctx, c, settings);
  await asPostgres(ctx, c, [
    'pg_autoctl',
    'create',
    'monitor',
    '--pgdata',
    pgData(ctx, c),
    '--pgport',
    String(c.ports.client),
    '--hostname',
    c.host,
    '--no-ssl',
    '--skip-pg-hba',
  ]);
  return pgSpec(ctx, c, runArgv(ctx, c));
}

/**
 * A keeper node. The first registers as primary from our own initdb; later ones are cloned by
 * pg_autoctl with pg_basebackup. Returns the spec that creates and runs it now, and the plain
 * `run` spec used for every later start.
 */
export async function prepareKeeper(
  ctx: BuildContext,
  c: ComponentSpec,
  monitor: ComponentSpec,
): Promise<{ first: LaunchSpec; restart: LaunchSpec }> {
  if (c.initialRole === 'primary') {
    await initdb(ctx, c, '');
  } else {
    await ownPgDirs(ctx, c);
  }
  const create = [
    'pg_autoctl',
    'create',
    'postgres',
    '--pgdata',
    pgData(ctx, c),
    '--pghost',
    pgSockets(ctx),
    '--pgport',
    String(c.ports.client),
    '--listen',
    c.host,
    '--hostname',
    c.host,
    '--name',
    c.name,
    '--monitor',
    monitorUri(monitor),
    '--no-ssl',
    '--skip-pg-hba',
    '--dbname',
    PG_DATABASE,
    '--run',
  ];
  return { first: pgSpec(ctx, c, create), restart: pgSpec(ctx, c, runArgv(ctx, c)) };
}

export const isPrepared = (ctx: BuildContext, c: ComponentSpec) => existsSync(dataDir(ctx, c));
