import type { Redis } from 'ioredis';

/**
 * Redis hot cache of the best price per flight: hash `price:<flightId>`, TTL 60 s (seed 000).
 * Writes are guarded by `revision` (flight_prices.revision): an older revision never overwrites a
 * newer one, whether it comes from a cache-aside fill or from the stream sink.
 */
export const PRICE_TTL_SEC = 60;
export const priceKey = (flightId: string) => `price:${flightId}`;

export interface CachedPrice {
  flightId: string;
  amount: number;
  currency: string;
  amountEur: number;
  /** Version of the winning supplier fare. */
  version: number;
  revision: number;
}

/** A `flight_prices` row as node-postgres returns it (numeric and bigint columns as text). */
export interface FlightPriceRow {
  flight_id: string;
  amount: string;
  currency: string;
  amount_eur: string;
  version: string;
  revision: string;
}

export function toCachedPrice(r: FlightPriceRow): CachedPrice {
  return {
    flightId: r.flight_id,
    amount: Number(r.amount),
    currency: r.currency,
    amountEur: Number(r.amount_eur),
    version: Number(r.version),
    revision: Number(r.revision),
  };
}

const SET_IF_NEWER = `
local cur = redis.call('HGET', KEYS[1], 'revision')
if cur and tonumber(cur) >= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'revision', ARGV[1], 'amount', ARGV[2], 'currency', ARGV[3], 'amountEur', ARGV[4], 'version', ARGV[5])
redis.call('EXPIRE', KEYS[1], ARGV[6])
return 1`;

export function decodePrice(
  flightId: string,
  h: Record<string, string> | null | undefined,
): CachedPrice | null {
  if (!h || h.amount === undefined || h.revision === undefined) return null;
  const p = {
    flightId,
    amount: Number(h.amount),
    currency: h.currency ?? 'EUR',
    amountEur: Number(h.amountEur ?? h.amount),
    version: Number(h.version ?? 0),
    revision: Number(h.revision),
  };
  return Number.isFinite(p.amount) && Number.isFinite(p.revision) ? p : null;
}

/** Reads many prices in one round trip; a missing key is null. */
export async function readPrices(redis: Redis, ids: string[]): Promise<(CachedPrice | null)[]> {
  if (ids.length === 0) return [];
  const pipe = redis.pipeline();
  for (const id of ids) pipe.hgetall(priceKey(id));
  const res = (await pipe.exec()) ?? [];
  return ids.map((id, i) => {
    const [err, value] = res[i] ?? [new Error('no reply'), null];
    if (err) throw err;
    return decodePrice(id, value as Record<string, string>);
  });
}

/** Writes prices unless the cache already holds the same or a newer revision. */
export async function writePrices(redis: Redis, prices: CachedPrice[]): Promise<void> {
  if (prices.length === 0) return;
  const pipe = redis.pipeline();
  for (const p of prices) {
    pipe.eval(
      SET_IF_NEWER,
      1,
      priceKey(p.flightId),
      p.revision,
      p.amount,
      p.currency,
      p.amountEur,
      p.version,
      PRICE_TTL_SEC,
    );
  }
  const res = (await pipe.exec()) ?? [];
  const failed = res.find(([err]) => err);
  if (failed?.[0]) throw failed[0];
}
