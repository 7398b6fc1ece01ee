import type { Redis } from 'ioredis';
import type { CircuitBreaker } from '../lib/breaker.ts';
import { Lru } from '../lib/lru.ts';
import type { Metrics } from '../lib/metrics.ts';
import type { FailoverPool } from '../lib/pg-pool.ts';
import {
  type CachedPrice,
  type FlightPriceRow,
  readPrices,
  toCachedPrice,
  writePrices,
} from '../lib/price-cache.ts';
import type { RetryPolicy } from '../lib/retry.ts';

export interface PriceHit extends CachedPrice {
  /** `cache`: Redis or the in-process last-known copy; `store`: PostgreSQL. */
  source: 'cache' | 'store';
}

export interface PriceLookup {
  prices: Map<string, PriceHit>;
  degradedReasons: string[];
}

/** Search path DB policy: seed 002's DB retries, but bounded to 1 s so p95 stays sane. */
const SEARCH_DB_RETRY: RetryPolicy = {
  maxRetries: 5,
  baseDelayMs: 50,
  maxDelayMs: 10_000,
  deadlineMs: 1_000,
};

/**
 * Cache-aside price reads: Redis (`price:<id>`), then PostgreSQL `flight_prices` for the misses
 * (written back to Redis, revision-guarded), then the in-process last-known copy when both
 * stores fail. Each store sits behind its own circuit breaker.
 */
export class PriceService {
  private readonly lastKnown = new Lru<CachedPrice>(100_000, 15 * 60_000);

  constructor(
    private readonly redis: Redis,
    private readonly pg: FailoverPool,
    private readonly breakers: { redis: CircuitBreaker; pg: CircuitBreaker },
    private readonly metrics: Metrics,
    private readonly onError: (what: string, err: unknown) => void,
  ) {}

  async lookup(ids: string[]): Promise<PriceLookup> {
    const prices = new Map<string, PriceHit>();
    const degradedReasons: string[] = [];
    const unique = [...new Set(ids)];
    let misses = unique;
    try {
      const cached = await this.breakers.redis.run(() => readPrices(this.redis, unique));
      misses = [];
      cached.forEach((p, i) => {
        if (p) prices.set(p.flightId, { ...p, source: 'cache' });
        else misses.push(unique[i]!);
      });
      this.metrics.cacheHits.inc({ cache: 'price' }, unique.length - misses.length);
      this.metrics.cacheMisses.inc({ cache: 'price' }, misses.length);
    } catch (err) {
      this.onError('price-cache', err);
      degradedReasons.push('price-cache-unavailable');
      this.metrics.cacheMisses.inc({ cache: 'price' }, unique.length);
    }
    if (misses.length > 0) {
      try {
        const rows = await this.breakers.pg.run(() =>
          this.pg.query<FlightPriceRow>(
            'SELECT flight_id, amount, currency, amount_eur, version, revision FROM flight_prices WHERE flight_id = ANY($1)',
            [misses],
            SEARCH_DB_RETRY,
          ),
        );
        const fill: CachedPrice[] = rows.rows.map(toCachedPrice);
        for (const p of fill) prices.set(p.flightId, { ...p, source: 'store' });
        if (!degradedReasons.includes('price-cache-unavailable') && fill.length > 0) {
          void this.breakers.redis
            .run(() => writePrices(this.redis, fill))
            .catch((e: unknown) => this.onError('price-fill', e));
        }
      } catch (err) {
        this.onError('price-store', err);
        degradedReasons.push('price-store-unavailable');
        let stale = 0;
        for (const id of misses) {
          const p = this.lastKnown.get(id);
          if (p) {
            prices.set(id, { ...p, source: 'cache' });
            stale++;
          }
        }
        if (stale > 0) degradedReasons.push('stale-prices');
      }
    }
    for (const p of prices.values()) this.lastKnown.set(p.flightId, p);
    return { prices, degradedReasons };
  }
}
