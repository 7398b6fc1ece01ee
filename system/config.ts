import { z } from 'zod';
import { DEFAULT_API_KEY, PG_DATABASE, REDIS_MASTER_NAME } from './contracts.ts';

/** `host:port` pairs, comma-separated. */
const hostList = z
  .string()
  .min(1)
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  );

const num = (def: number) => z.coerce.number().finite().default(def);

/** Parsed ServiceEnv (contracts.ts) plus optional tuning knobs, each with a safe default. */
const envSchema = z.object({
  WS_SERVICE: z.enum(['search-api', 'reservations', 'booking', 'ingest', 'stream']),
  WS_INSTANCE: z.string().default('local'),
  WS_AZ: z.string().default('az-a'),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(7001),
  KAFKA_BROKERS: hostList,
  REDIS_SENTINELS: hostList,
  REDIS_MASTER: z.string().default(REDIS_MASTER_NAME),
  PG_HOSTS: hostList,
  PG_DATABASE: z.string().default(PG_DATABASE),
  PG_USER: z.string().default('postgres'),
  OPENSEARCH_URL: hostList,
  API_KEYS: hostList.default([DEFAULT_API_KEY]),
  PAYMENT_FAILURE_RATE: num(0).pipe(z.number().min(0).max(1)),
  PAYMENT_LATENCY_MS: num(50).pipe(z.number().min(0)),
  /** Simulated airline confirmation failure probability (not in ServiceEnv; default 0). */
  AIRLINE_FAILURE_RATE: num(0).pipe(z.number().min(0).max(1)),
  AIRLINE_LATENCY_MS: num(20).pipe(z.number().min(0)),
  INGEST_RATE: num(0).pipe(z.number().min(0)),
  /**
   * Acknowledgement ingest waits for before answering a supplier: `all` (acks=all, idempotent; the
   * default and the only safe choice) or `1` (leader only, not idempotent). `1` exists for the
   * harness's negative control, which must show that such a system loses acknowledged updates.
   */
  KAFKA_PRODUCER_ACKS: z.enum(['all', '1']).default('all'),
  CATALOGUE_SEED: num(42),
  /** Requests per client per fixed window (default: generous, 1M/min). */
  RATE_LIMIT_MAX: num(1_000_000),
  RATE_LIMIT_WINDOW_SEC: num(60).pipe(z.number().int().min(1)),
  /** Wait after SIGTERM with /readyz failing, so the balancer stops routing before HTTP drains. */
  SHUTDOWN_DELAY_MS: num(0),
  LOG_LEVEL: z.string().default('info'),
});

export type ServiceConfig = z.output<typeof envSchema>;

export function parseConfig(env: NodeJS.ProcessEnv): ServiceConfig {
  const r = envSchema.safeParse(env);
  if (!r.success) {
    const reasons = r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid service environment: ${reasons}`);
  }
  return r.data;
}
