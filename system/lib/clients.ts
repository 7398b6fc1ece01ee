import type { Redis } from 'ioredis';
import { KafkaConnection } from './kafka.ts';
import { SearchClient } from './opensearch.ts';
import { FailoverPool } from './pg-pool.ts';
import { createRedis, type RedisOptions } from './redis.ts';
import type { ServiceContext } from './service-runtime.ts';

/** Failover-aware clients built from the service environment; each logs its own failovers. */
export function pgFrom(ctx: ServiceContext, max = 10): FailoverPool {
  return new FailoverPool({
    hosts: ctx.config.PG_HOSTS,
    database: ctx.config.PG_DATABASE,
    user: ctx.config.PG_USER,
    max,
    onEvent: (event, detail) =>
      event === 'pg-primary'
        ? ctx.log.info({ event, ...detail }, event)
        : ctx.log.warn({ event, ...detail }, event),
  });
}

export function redisFrom(ctx: ServiceContext, opts: Pick<RedisOptions, 'autoPipelining'> = {}): Redis {
  let lastErrorLog = 0;
  return createRedis({
    sentinels: ctx.config.REDIS_SENTINELS,
    masterName: ctx.config.REDIS_MASTER,
    ...opts,
    onEvent: (event, detail) => {
      // Errors repeat every retry while Redis is down: log at most once per 5 s.
      if (event === 'redis-error') {
        if (Date.now() - lastErrorLog < 5_000) return;
        lastErrorLog = Date.now();
      }
      if (event === 'redis-ready') ctx.log.info({ event, ...detail }, event);
      else ctx.log.warn({ event, ...detail }, event);
    },
  });
}

export function kafkaFrom(ctx: ServiceContext): KafkaConnection {
  return new KafkaConnection({
    brokers: ctx.config.KAFKA_BROKERS,
    clientId: `${ctx.config.WS_SERVICE}-${ctx.config.WS_INSTANCE}`,
    log: (level, msg, detail) => ctx.log[level](detail, msg),
  });
}

/**
 * OpenSearch client. The search path passes `{ timeoutMs: 1000, retries: 0 }`: its own retry
 * policy (1 s budget) and breaker decide, so a slow index costs a search at most ~1 s before the
 * store fallback, not the client's 2 s timeout twice over.
 */
export function searchFrom(
  ctx: ServiceContext,
  o: { timeoutMs?: number; retries?: number } = {},
): SearchClient {
  return new SearchClient(ctx.config.OPENSEARCH_URL, o.timeoutMs, o.retries);
}
