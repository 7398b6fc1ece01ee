/**
 * The Compose project's one-shot `bootstrap` container (services image): waits for each stateful
 * tier by the same checks as the local platform's `up` (readiness.ts) and, as there, loads each
 * part of the system's data as soon as its own tier is ready (topics on Kafka, catalogue rows on
 * PostgreSQL, the index on OpenSearch: `bootstrapPart`), then waits for the index to be green.
 * The services start when it exits 0. WS_PROFILE picks the topology.
 */
import { waitFor } from '../../../lib/exec.ts';
import { StackObserver } from '../../../lib/observe/stack-observer.ts';
import { PROFILES, type Profile } from '../../../system/topology.ts';
import { type BuildContext, bootstrapPart } from '../local/components.ts';
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
    // Each part of the data waits only for its own tier, not for the slowest one.
    await Promise.all([
      kafkaReady(ctx, observer, log).then(() => bootstrapPart(ctx, 'topics', log)),
      redisReady(ctx, observer, log),
      postgresReady(observer, 240_000).then(() => bootstrapPart(ctx, 'postgres', log)),
      opensearchReady(ctx, observer, log).then(() => bootstrapPart(ctx, 'index', log)),
    ]);
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
