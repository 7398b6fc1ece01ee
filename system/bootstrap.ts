/**
 * What the platform calls once the stack is up: `createTopics(brokers)` and
 * `loadCatalogue({...})`. Also runnable on its own: `node --import tsx system/bootstrap.ts`
 * with KAFKA_BROKERS, PG_HOSTS, PG_USER, PG_DATABASE, OPENSEARCH_URL, REDIS_SENTINELS,
 * REDIS_MASTER and CATALOGUE_SEED in the environment (unset Redis variables skip cache warming).
 */
import { pathToFileURL } from 'node:url';
import { PG_DATABASE, REDIS_MASTER_NAME } from './contracts.ts';
import { createTopics } from './topics.ts';

const list = (v: string | undefined) =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

async function main(): Promise<void> {
  const { loadCatalogue } = await import('./catalogue/load-catalogue.ts');
  const env = process.env;
  const brokers = list(env.KAFKA_BROKERS);
  const pgHosts = list(env.PG_HOSTS);
  const opensearch = list(env.OPENSEARCH_URL);
  if (brokers.length === 0 || pgHosts.length === 0 || opensearch.length === 0) {
    throw new Error('set KAFKA_BROKERS, PG_HOSTS and OPENSEARCH_URL');
  }
  const created = await createTopics(brokers);
  process.stdout.write(`topics created: ${created.join(', ') || '(none, all existed)'}\n`);
  const sentinels = list(env.REDIS_SENTINELS);
  const summary = await loadCatalogue({
    pgHosts,
    pgDatabase: env.PG_DATABASE ?? PG_DATABASE,
    pgUser: env.PG_USER ?? 'postgres',
    opensearchUrl: opensearch,
    ...(sentinels.length ? { redis: { sentinels, masterName: env.REDIS_MASTER ?? REDIS_MASTER_NAME } } : {}),
    seed: Number(env.CATALOGUE_SEED ?? 42),
    log: (m) => process.stdout.write(`${m}\n`),
  });
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`bootstrap failed: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
