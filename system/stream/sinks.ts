import type { Redis } from 'ioredis';
import { availabilityUpdate, INDEX_NAME } from '../catalogue/search-index.ts';
import type { SearchClient } from '../lib/opensearch.ts';
import type { FailoverPool } from '../lib/pg-pool.ts';
import { type CachedPrice, type FlightPriceRow, toCachedPrice, writePrices } from '../lib/price-cache.ts';
import type { AvailabilityUpdate } from './index-queue.ts';
import { latestPerOffer, type NormalizedFare } from './normalize.ts';

/** Best prices that changed in PostgreSQL, to push to the Redis cache. */
export type PriceChange = CachedPrice;

/** One round trip: the sink_fares function of db/schema.sql (upsert, lock, recompute). */
const SINK_FARES = `SELECT * FROM sink_fares($1::text[], $2::text[], $3::text[], $4::numeric[], $5::text[],
  $6::numeric[], $7::bigint[], $8::timestamptz[], $9::int[], $10::text[])`;

/**
 * PostgreSQL sink: the batches a worker has waiting go in one transaction (GroupCommit in
 * stream-service.ts), one call of db/schema.sql's sink_fares: upsert their fares with the version
 * guard, lock the touched flight_prices rows (in flight_id order, so concurrent workers serialise
 * instead of deadlocking), then recompute the best price of those flights. Returns each batch's
 * changed best prices (a flight two batches share is in both). A replay changes nothing.
 *
 * The fares rows need no lock of ours: an offer's updates all come through one partition of
 * supplier.raw, so one batch at a time writes it. The flight rows do: the offers of a flight come
 * through many partitions. Locking them only after the fares upsert keeps the lock for the
 * recompute and the commit: a batch's flights overlap other batches' at a high feed rate (~480
 * records, so up to ~480 of the 28,770 flights, per batch at 4,000 msg/s, from the stream's
 * `stream batches` log), and with the lock first the batches queued behind each other's upserts:
 * 9-17 backends waited on row locks against 0-2 running (pg_stat_activity every 2 s), PostgreSQL
 * used 0.03 cores and a batch took 2.7-3.7 s there. One transaction per worker at a time leaves
 * three lock holders, not one per partition in flight.
 * During a rebalance the old and the new owner of a partition may upsert the same fares at once;
 * PostgreSQL then aborts one for a deadlock and the stream retries the batches.
 * Still correct: each transaction recomputes a flight after taking its lock, so with a statement
 * snapshot taken after every earlier holder committed, the last to lock sees every fare.
 */
export async function sinkToPostgres(
  pg: FailoverPool,
  batches: NormalizedFare[][],
): Promise<PriceChange[][]> {
  const rows = latestPerOffer(batches.flat());
  if (rows.length === 0) return batches.map(() => []);
  // One statement, so one transaction and one round trip instead of five (BEGIN, three
  // statements, COMMIT), each of which waited for this process to be scheduled on a busy machine.
  const r = await pg.query<FlightPriceRow>(SINK_FARES, [
    rows.map((r) => r.supplier),
    rows.map((r) => r.offerId),
    rows.map((r) => r.flightId),
    rows.map((r) => r.amount),
    rows.map((r) => r.currency),
    rows.map((r) => r.amountEur),
    rows.map((r) => r.version),
    rows.map((r) => r.eventTime),
    rows.map((r) => r.seatsAvailable ?? null),
    rows.map((r) => r.anomaly),
  ]);
  const changed = r.rows.map(toCachedPrice);
  return batches.map((b) => {
    const mine = new Set(b.map((f) => f.flightId));
    return changed.filter((p) => mine.has(p.flightId));
  });
}

/** Redis sink: revision-guarded writes, so an older best price never replaces a newer one. */
export function sinkToCache(redis: Redis, changes: PriceChange[]): Promise<void> {
  return writePrices(redis, changes);
}

/** The newest availability per flight among `fares` (the first of equal event times), for the index. */
export function availabilityOf(fares: NormalizedFare[]): AvailabilityUpdate[] {
  const latest = new Map<string, AvailabilityUpdate>();
  for (const f of fares) {
    if (f.seatsAvailable === undefined) continue;
    const eventTimeMs = Date.parse(f.eventTime);
    const cur = latest.get(f.flightId);
    if (!cur || eventTimeMs > cur.eventTimeMs)
      latest.set(f.flightId, { flightId: f.flightId, seatsAvailable: f.seatsAvailable, eventTimeMs });
  }
  return [...latest.values()];
}

/**
 * OpenSearch sink: availability only (fares are not indexed), scripted and guarded by the
 * supplier event time, so replays and reordering never regress it. Missing documents are skipped.
 */
export async function sinkToIndex(os: SearchClient, updates: AvailabilityUpdate[]): Promise<void> {
  if (updates.length === 0) return;
  const bulk: Record<string, unknown>[] = [];
  for (const u of updates) {
    bulk.push({ update: { _index: INDEX_NAME, _id: u.flightId, retry_on_conflict: 3 } });
    bulk.push(availabilityUpdate(u.seatsAvailable, u.eventTimeMs));
  }
  const r = await os.request('POST', '/_bulk', undefined, { bulk });
  if (
    typeof r === 'object' &&
    r !== null &&
    'errors' in r &&
    r.errors === true &&
    'items' in r &&
    Array.isArray(r.items)
  ) {
    const hard = r.items.filter((it: unknown) => {
      const status = (it as { update?: { status?: number } }).update?.status ?? 200;
      return status >= 400 && status !== 404;
    });
    if (hard.length > 0) throw new Error(`bulk availability update: ${hard.length} failures`);
  }
}
