import { z } from 'zod';
import { INDEX_NAME } from '../catalogue/search-index.ts';
import { type PriceResponse, ROUTES, type SearchResponse, type SearchResult } from '../contracts.ts';
import type { BreakerOptions } from '../lib/breaker.ts';
import { pgFrom, redisFrom, searchFrom } from '../lib/clients.ts';
import { HttpError, parseInput } from '../lib/http-error.ts';
import { Lru } from '../lib/lru.ts';
import { reportedBreaker } from '../lib/metrics.ts';
import type { RetryPolicy } from '../lib/retry.ts';
import type { ServiceContext, ServiceHandle } from '../lib/service-runtime.ts';
import { CandidateCache, type Candidates } from './candidate-cache.ts';
import { computeFacets, matchesFilters } from './facets.ts';
import { PriceService } from './price-lookup.ts';
import { rankResults } from './rank-results.ts';
import {
  buildSearchBody,
  CANDIDATES,
  dayBounds,
  type FlightDoc,
  facetFilters,
  parseSearchResponse,
  type SearchQuery,
  searchQuerySchema,
} from './search-query.ts';

/** Search path DB policy: seed 002's DB retries, bounded to 1 s in total. */
const SEARCH_DB_RETRY: RetryPolicy = {
  maxRetries: 5,
  baseDelayMs: 50,
  maxDelayMs: 10_000,
  deadlineMs: 1_000,
};

/**
 * The search path's budgets. A search without cached candidates waits for OpenSearch
 * INDEX_BUDGET_MS, then asks PostgreSQL too and takes the first answer; cached candidates are
 * refreshed every CANDIDATE_FRESH_MS in the background, so a new or removed flight shows in search
 * within that (prices are read live every time). An index call over INDEX_SLOW_MS counts against
 * the index's breaker.
 *
 * Candidates are schedule data only (no prices, no seats). No seed bounds how soon a schedule
 * change shows in search; 30 s borrows seed 000's bound for a supplier change ("ingest lag < 30 s").
 * Each instance refreshes every key it serves once a period: at 10 s OpenSearch used 0.17-0.19
 * cores through bench:system's search steps from 473 req/s up (0.03 at idle), at 30 s 0.07-0.12.
 */
export const INDEX_BUDGET_MS = 25;
const INDEX_SLOW_MS = 200;
export const CANDIDATE_FRESH_MS = 30_000;
/**
 * A key's candidates are fresh for 75-100 % of CANDIDATE_FRESH_MS, drawn at each load. Without
 * it the keys a warm-up loaded together all went stale together: every 30 s each instance sent
 * its ~75 keys' refreshes to OpenSearch in one burst. In bench:system (5 December) OpenSearch
 * read 0.12-0.22 cores in every other 15 s search step and 0.02-0.09 in the others, and 3 of the
 * 4 steps that broke p95 <= 40 ms were steps with a burst. With the jitter, in the next run,
 * OpenSearch read 0.08-0.16 in every step of the first ladder from 150 req/s, and search held
 * 4,337, 5,965 and 5,469 req/s against 3,213, 1,964 and 4,054 (one run each, same machine).
 */
const CANDIDATE_FRESH_JITTER = 0.25;
const STORE_CANDIDATE_FRESH_MS = 2_000;
const CANDIDATE_MAX_STALE_MS = 10 * 60_000;

/**
 * Seed 002's L1, the in-process layer in front of Redis ("Local Memory, 100ms TTL"): a search's
 * answer, serialized once, is served again to the same query for ANSWER_TTL_MS. Only complete
 * answers (not degraded) are kept, so an answer is at most 100 ms older than the Redis prices
 * it read. At bench:system's load (224 distinct queries, each replica answering the
 * queries HAProxy hashes to it) a query repeats within 100 ms from a few hundred req/s up; at
 * the ci profile's ~20 req/s it almost never does. The counter ws_search_answers_total shows
 * the share (`l1` or `computed`); the price cache's hit ratio counts only computed answers.
 */
export const ANSWER_TTL_MS = 100;

/**
 * Breakers count slow calls and trip on a bad share of at least half the window's calls (never
 * on a handful among many), and let traffic back over 10 s after closing.
 */
const STABLE: Partial<BreakerOptions> = { failureRateThreshold: 0.5, minimumCalls: 10, rampMs: 10_000 };

const flightIdParam = z.object({ id: z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, 'flight id') });

/** search-api: GET /v1/search and GET /v1/flights/:id/price (seed 000, 004). */
export async function startSearchApi(ctx: ServiceContext): Promise<ServiceHandle> {
  const { app, metrics, log } = ctx;
  const breakers = {
    search: reportedBreaker(metrics, log, 'opensearch', { ...STABLE, slowCallMs: INDEX_SLOW_MS }),
    redis: reportedBreaker(metrics, log, 'redis', { ...STABLE, slowCallMs: 200 }),
    // Seed 000: the store's p95 is 250 ms; slower answers count against it.
    pg: reportedBreaker(metrics, log, 'postgres', { ...STABLE, slowCallMs: 250 }),
  };
  const os = searchFrom(ctx, { timeoutMs: 1_000, retries: 0 });
  // One MGET per search: under load, those of one event-loop turn leave in one write.
  const redis = redisFrom(ctx, { autoPipelining: true });
  const pg = pgFrom(ctx, 20);
  const onError = (what: string, err: unknown) => {
    log.debug({ what, err: String(err) }, 'dependency error');
    ctx.recheckReadiness();
  };
  const prices = new PriceService(redis, pg, { redis: breakers.redis, pg: breakers.pg }, metrics, onError);
  const responseCache = new Lru<SearchResponse>(5_000, 5 * 60_000);
  // Expired copies leave when asked for again or pushed out: at most 1,000 (~3.4 KB each).
  const answers = new Lru<Buffer>(1_000, ANSWER_TTL_MS);
  const JSON_TYPE = 'application/json; charset=utf-8';

  const fromIndex = async (q: SearchQuery): Promise<Candidates> =>
    breakers.search.run(async () =>
      parseSearchResponse(await os.request('POST', `/${INDEX_NAME}/_search`, buildSearchBody(q))),
    );

  const fromStore = async (q: SearchQuery): Promise<Candidates> => {
    const [from, to] = dayBounds(q.date);
    const r = await breakers.pg.run(() =>
      pg.query<{
        flight_id: string;
        airline: string;
        flight_number: string;
        origin: string;
        destination: string;
        departure: Date;
        arrival: Date;
        stops: number;
      }>(
        `SELECT flight_id, airline, flight_number, origin, destination, departure, arrival, stops FROM flights
         WHERE origin = $1 AND destination = $2 AND departure >= $3 AND departure < $4 ORDER BY departure, flight_id`,
        [q.origin, q.destination, from, to],
        SEARCH_DB_RETRY,
      ),
    );
    const all: FlightDoc[] = r.rows.map((x) => ({
      flightId: x.flight_id,
      airline: x.airline,
      flightNumber: x.flight_number,
      origin: x.origin,
      destination: x.destination,
      departure: x.departure.toISOString(),
      arrival: x.arrival.toISOString(),
      stops: x.stops,
    }));
    const filters = facetFilters(q);
    const docs = all.filter((d) => matchesFilters(d, filters));
    return { docs: docs.slice(0, CANDIDATES), total: docs.length, facets: computeFacets(all) };
  };

  const candidates = new CandidateCache({
    index: fromIndex,
    store: fromStore,
    budgetMs: INDEX_BUDGET_MS,
    freshMs: CANDIDATE_FRESH_MS,
    storeFreshMs: STORE_CANDIDATE_FRESH_MS,
    freshJitter: CANDIDATE_FRESH_JITTER,
    maxStaleMs: CANDIDATE_MAX_STALE_MS,
    capacity: 20_000,
    onError,
  });

  app.get(ROUTES.search, async (req, reply) => {
    const q = parseInput(searchQuerySchema, req.query, 'query');
    const cacheKey = JSON.stringify(q);
    const kept = answers.get(cacheKey);
    if (kept) {
      metrics.searchAnswers.inc({ source: 'l1' });
      return reply.type(JSON_TYPE).send(kept);
    }
    metrics.searchAnswers.inc({ source: 'computed' });
    const reasons: string[] = [];
    let cands: Candidates | null = null;
    try {
      const got = await candidates.get(q);
      metrics.candidates.inc({ outcome: got.hit });
      cands = got.value;
      reasons.push(...got.reasons);
    } catch (err) {
      onError('flights-store', err);
      reasons.push('search-index-unavailable');
    }
    if (!cands) {
      const cached = responseCache.get(cacheKey);
      const reason = cached ? 'cached-response' : 'search-unavailable';
      metrics.degraded.inc({ reason });
      if (cached) return { ...cached, degraded: true, degradedReasons: [...reasons, reason] };
      return {
        results: [],
        facets: { airline: [], stops: [], departureWindow: [] },
        total: 0,
        degraded: true,
        degradedReasons: [...reasons, reason],
      };
    }
    const looked = await prices.lookup(cands.docs.map((d) => d.flightId));
    reasons.push(...looked.degradedReasons);
    const ranked = rankResults(
      cands.docs.map((d) => {
        const p = looked.prices.get(d.flightId);
        const result: SearchResult = {
          ...d,
          price: p ? { amount: p.amount, currency: p.currency, version: p.version, source: p.source } : null,
        };
        return { ...result, priceEur: p ? p.amountEur : null };
      }),
    );
    const response: SearchResponse = {
      results: ranked.slice(0, q.limit).map(({ priceEur: _drop, ...r }) => r),
      facets: cands.facets,
      total: cands.total,
      degraded: reasons.length > 0,
      ...(reasons.length > 0 ? { degradedReasons: reasons } : {}),
    };
    if (reasons.length > 0) {
      for (const reason of reasons) metrics.degraded.inc({ reason });
      return response;
    }
    responseCache.set(cacheKey, response);
    const body = Buffer.from(JSON.stringify(response));
    answers.set(cacheKey, body);
    return reply.type(JSON_TYPE).send(body);
  });

  app.get(ROUTES.price, async (req): Promise<PriceResponse> => {
    const { id } = parseInput(flightIdParam, req.params, 'params');
    const looked = await prices.lookup([id]);
    const p = looked.prices.get(id);
    const degraded = looked.degradedReasons.length > 0;
    for (const reason of looked.degradedReasons) metrics.degraded.inc({ reason });
    if (!p) {
      if (degraded)
        throw new HttpError(
          503,
          'unavailable',
          `price stores unavailable: ${looked.degradedReasons.join(', ')}`,
          { 'retry-after': '1' },
        );
      throw new HttpError(404, 'not_found', `no price for flight ${id}`);
    }
    return {
      flightId: id,
      amount: p.amount,
      currency: p.currency,
      version: p.version,
      source: p.source,
      degraded,
    };
  });

  return {
    // Ready while it can answer searches at all (index or store); each check is still reported.
    ready: {
      opensearch: () => os.ping(),
      postgres: () => pg.ping(),
      redis: () => redis.ping(),
    },
    readyWhen: (ok) => ok.opensearch === true || ok.postgres === true,
    close: async () => {
      await Promise.allSettled([os.close(), pg.end(), redis.quit()]);
    },
  };
}
