import type { RedisRunner } from './redis.ts';

/** Fixed window: one counter per client per `windowSec`, shared by every replica through Redis. */
export interface RateLimitDecision {
  allowed: boolean;
  count: number;
  /** Seconds until the window resets. */
  resetSec: number;
}

export function windowKey(
  client: string,
  nowMs: number,
  windowSec: number,
): { key: string; resetSec: number } {
  const windowMs = windowSec * 1000;
  const index = Math.floor(nowMs / windowMs);
  return { key: `rl:${client}:${index}`, resetSec: Math.ceil(((index + 1) * windowMs - nowMs) / 1000) };
}

export class RateLimiter {
  constructor(
    private readonly redis: RedisRunner,
    private readonly max: number,
    private readonly windowSec: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Fails open: when Redis is unavailable the request is allowed (availability over strictness). */
  async check(client: string): Promise<RateLimitDecision> {
    const { key, resetSec } = windowKey(client, this.now(), this.windowSec);
    try {
      const r = await this.redis((c) =>
        c
          .multi()
          .incr(key)
          .expire(key, this.windowSec + 1)
          .exec(),
      );
      const count = Number(r?.[0]?.[1] ?? 0);
      return { allowed: count <= this.max, count, resetSec };
    } catch {
      return { allowed: true, count: 0, resetSec };
    }
  }
}
