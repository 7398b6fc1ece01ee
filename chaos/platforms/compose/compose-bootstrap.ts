/**
 * The Compose project's one-shot `bootstrap` container (services image): waits until every
 * stateful tier is ready by the same checks as the local platform's `up` (readiness.ts), then
 * runs system/bootstrap.ts (topics, catalogue; bundled beside this file as its own program) with
 * the services' environment, as the local platform's bootstrapSystem does, and waits for the
 * index to be green. The services start when it exits 0. WS_PROFILE picks the topology.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../../../lib/exec.ts';
import { StackObserver } from '../../../lib/observe/stack-observer.ts';
import { componentsOf, PROFILES, type Profile } from '../../../system/topology.ts';
import { type BuildContext, serviceEnv } from '../local/components.ts';
import { SAFE_KAFKA } from '../local/configs/kafka-config.ts';
import { SAFE_REDIS } from '../local/configs/redis-config.ts';
import { kafkaReady, opensearchGreen, opensearchReady, redisReady } from '../local/readiness.ts';
import { CONTAINER_DATA, composeTopology } from './compose-topology.ts';

const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);

/** Primary writable with a synchronous standby, as the local platform's last PostgreSQL check. */
async function postgresReady(observer: StackObserver, timeoutMs: number): Promise<void> {
  const ok = await waitFor(
    async () => {
      const v = await observer.postgresView();
      return (v.data?.writable && (v.data.syncState === 'quorum' || v.data.syncState === 'sync')) || null;
    },
    timeoutMs,
    1000,
  );
  if (!ok)
    throw new Error(`postgres: no writable primary with a synchronous standby after ${timeoutMs / 1000} s`);
  log('postgres: ready (primary, synchronous standby, monitor)');
}

/**
 * system/bootstrap.ts as its own process, with the first service's environment less Redis
 * (like the local platform's bootstrapSystem: the cache is not warmed).
 */
function runSystemBootstrap(ctx: BuildContext): Promise<void> {
  const first = componentsOf(ctx.topology, 'service')[0];
  if (!first) return Promise.resolve();
  const { REDIS_SENTINELS: _s, REDIS_MASTER: _m, ...env } = serviceEnv(ctx, first);
  const program = join(dirname(fileURLToPath(import.meta.url)), 'system-bootstrap.mjs');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [program], {
      env: { ...process.env, ...env, CATALOGUE_SEED: process.env.CATALOGUE_SEED ?? '42' },
      stdio: 'inherit',
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${program} exited with ${code}`)),
    );
  });
}

async function main(): Promise<void> {
  const profile = (process.env.WS_PROFILE ?? 'ci') as Profile;
  if (!PROFILES.includes(profile)) throw new Error(`WS_PROFILE must be one of ${PROFILES.join(', ')}`);
  const topology = composeTopology(profile);
  const ctx: BuildContext = {
    topology,
    dataRoot: CONTAINER_DATA,
    // Only named in messages: each component logs to its container (`docker compose logs <name>`).
    logsDir: 'docker compose logs',
    kafkaSafety: SAFE_KAFKA,
    redisSafety: SAFE_REDIS,
  };
  const observer = new StackObserver(topology);
  const started = Date.now();
  try {
    await Promise.all([
      kafkaReady(ctx, observer, log),
      redisReady(ctx, observer, log),
      postgresReady(observer, 240_000),
      opensearchReady(ctx, observer, log),
    ]);
    await runSystemBootstrap(ctx);
    await opensearchGreen(ctx, observer, log);
    log(`bootstrap: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await observer.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    log(`bootstrap failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
