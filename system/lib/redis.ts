import { Redis } from 'ioredis';
import type { CircuitBreaker } from './breaker.ts';

/**
 * ioredis through Sentinel (components.md): `failoverDetector` so a paused primary is noticed,
 * a short fixed retryStrategy, and a commandTimeout so no caller hangs on a dead primary.
 */
export interface RedisOptions {
  /** `host:port` of every Sentinel. */
  sentinels: string[];
  masterName: string;
  /** Per-command bound in ms. */
  commandTimeoutMs?: number;
  /**
   * ioredis `enableAutoPipelining`: commands issued in one turn of the event loop leave in one
   * write. For a client on a request path, where each request sends one command.
   */
  autoPipelining?: boolean;
  onEvent?: (event: string, detail: Record<string, unknown>) => void;
}

export function parseHostPort(s: string, defaultPort: number): { host: string; port: number } {
  const i = s.lastIndexOf(':');
  return i < 0 ? { host: s, port: defaultPort } : { host: s.slice(0, i), port: Number(s.slice(i + 1)) };
}

export function createRedis(opts: RedisOptions): Redis {
  const redis = new Redis({
    sentinels: opts.sentinels.map((s) => parseHostPort(s, 26379)),
    name: opts.masterName,
    role: 'master',
    failoverDetector: true,
    sentinelRetryStrategy: () => 250,
    retryStrategy: () => 200,
    sentinelCommandTimeout: 500,
    connectTimeout: 1_000,
    commandTimeout: opts.commandTimeoutMs ?? 300,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    lazyConnect: false,
    enableAutoPipelining: opts.autoPipelining ?? false,
  });
  redis.on('error', (err: Error) => opts.onEvent?.('redis-error', { error: err.message }));
  redis.on('+switch-master', () => opts.onEvent?.('redis-switch-master', {}));
  redis.on('ready', () => opts.onEvent?.('redis-ready', {}));
  keepConnecting(redis, opts.onEvent);
  return redis;
}

/**
 * ioredis gives a client up for good (status `end`, every command failing with "Connection is
 * closed.") when its connector is disconnected while it looks the primary up from the Sentinels:
 * the failover detector does that when `+switch-master` arrives during a reconnect. Seen on
 * 3 December: after a redis-primary-failover run, 4 of the 12 services' clients (search-api-b1,
 * -c1, stream-a, -b) were never ready again and the next scenario's cache hit ratio read 21 %. Connect such a client again; an `end` the
 * owner asked for (`quit`, `disconnect()`) is left alone.
 */
export function keepConnecting(redis: Redis, onEvent?: RedisOptions['onEvent']): void {
  let closing = false;
  const quit = redis.quit.bind(redis);
  const disconnect = redis.disconnect.bind(redis);
  redis.quit = ((...args: Parameters<Redis['quit']>) => {
    closing = true;
    return quit(...args);
  }) as Redis['quit'];
  redis.disconnect = (reconnect?: boolean) => {
    if (!reconnect) closing = true;
    disconnect(reconnect);
  };
  redis.on('end', () => {
    if (closing) return;
    onEvent?.('redis-restart', { reason: 'the client had given up (status end); connecting again' });
    setTimeout(() => {
      if (!closing && redis.status === 'end') redis.connect().catch(() => undefined);
    }, 200);
  });
}

/** Runs Redis operations behind a breaker, so a dead Redis costs nothing once the breaker opens. */
export type RedisRunner = <T>(op: (r: Redis) => Promise<T>) => Promise<T>;

export function breakerRunner(redis: Redis, breaker: CircuitBreaker): RedisRunner {
  return (op) => breaker.run(() => op(redis));
}
