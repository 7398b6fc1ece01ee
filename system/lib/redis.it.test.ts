import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { REDIS_MASTER_NAME } from '../contracts.ts';
import { eventually, SENTINELS } from '../it-support.ts';
import { createRedis } from './redis.ts';

/** ioredis's connector, which its failover detector disconnects on `+switch-master`. */
const connectorOf = (r: Redis) => (r as unknown as { connector: { disconnect(): void } }).connector;

describe('createRedis against the real Sentinels', () => {
  const clients: Redis[] = [];
  afterAll(() => {
    for (const c of clients) c.disconnect();
  });

  it('connects again when ioredis gives the client up during a Sentinel lookup', async () => {
    const events: string[] = [];
    const redis = createRedis({
      sentinels: SENTINELS,
      masterName: REDIS_MASTER_NAME,
      commandTimeoutMs: 2_000,
      onEvent: (e) => events.push(e),
    });
    clients.push(redis);
    const key = `ws-it:${randomUUID()}`;
    await redis.set(key, 'before');
    // What the failover detector does when +switch-master arrives while the client reconnects:
    // the connector is disconnected while it asks a Sentinel for the primary. ioredis then sets
    // the status to `end` and never connects again by itself.
    const ended = new Promise<void>((resolve) => redis.once('end', () => resolve()));
    redis.once('connecting', () => connectorOf(redis).disconnect());
    redis.disconnect(true);
    await ended;
    const value = await eventually(
      async () => (redis.status === 'ready' ? ((await redis.get(key)) ?? undefined) : undefined),
      10_000,
      'the client ready again',
    ).catch((err: unknown) => `${String(err)} (status ${redis.status})`);
    expect(value).toBe('before');
    expect(events).toContain('redis-restart');
  });

  it('stays closed after quit', async () => {
    const redis = createRedis({
      sentinels: SENTINELS,
      masterName: REDIS_MASTER_NAME,
      commandTimeoutMs: 2_000,
    });
    await redis.ping();
    await redis.quit();
    await new Promise((r) => setTimeout(r, 600));
    expect(redis.status).toBe('end');
  });
});
