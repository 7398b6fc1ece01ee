import { z } from 'zod';
import { INDEX_NAME } from '../catalogue/search-index.ts';
import { type PriceResponse, ROUTES, type SearchResponse, type SearchResult } from '../contracts.ts';
import { pgFrom, redisFrom, searchFrom } from '../lib/clients.ts';
import { HttpError, parseInput } from '../lib/http-error.ts';
import { Lru } from '../lib/lru.ts';
import { reportedBreaker } from '../lib/metrics.ts';
import { type RetryPolicy, retry } from '../lib/retry.ts';
import type { ServiceContext, ServiceHandle } from '../lib/service-runtime.ts';
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

/** Search path retry for OpenSearch: seed 002's API row, bounded to 1 s in total. */
const SEARCH_API_RETRY: RetryPolicy = {
  maxRetries: 3,
  baseDelayMs: 100,
  maxDelayMs: 5_000,
  deadlineMs: 1_000,
};
const SEARCH_DB_RETRY: RetryPolicy = {
  maxRetries: 5,
  baseDelayMs: 50,
  maxDelayMs: 10_000,
  deadlineMs: 1_000,
};

const flightIdParam = z.object({ id: z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, 'flight id') });

interface Candidates {
  docs: FlightDoc[];
  total: number;
  facets: SearchResponse['facets'];
}

/** search-api: GET /v1/search and GET /v1/flights/:id/price (seed 000, 004). */
export async function startSearchApi(ctx: ServiceContext): Promise<ServiceHandle> {
  const { app, metrics, log } = ctx;
  const breaker = (name: string) => reportedBreaker(metrics, log, name);
  const breakers = { search: breaker('opensearch'), redis: breaker('redis'), pg: breaker('postgres') };
  const os = searchFrom(ctx, { timeoutMs: 1_000, retries: 0 });
  const redis = redisFrom(ctx);
  const pg = pgFrom(ctx, 20);
  const onError = (what: string, err: unknown) => log.debug({ what, err: String(err) }, 'dependency error');
  const prices = new PriceService(redis, pg, { redis: breakers.redis, pg: breakers.pg }, metrics, onError);
  const responseCache = new Lru<SearchResponse>(5_000, 5 * 60_000);

  const fromIndex = async (q: SearchQuery): Promise<Candidates> =>
    breakers.search.run(() =>
      retry(SEARCH_API_RETRY, async () =>
        parseSearchResponse(await os.request('POST', `/${INDEX_NAME}/_search`, buildSearchBody(q))),
      ),
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

  app.get(ROUTES.search, async (req): Promise<SearchResponse> => {
    const q = parseInput(searchQuerySchema, req.query, 'query');
    const cacheKey = JSON.stringify(q);
    const reasons: string[] = [];
    let cands: Candidates | null = null;
    try {
      cands = await fromIndex(q);
    } catch (err) {
      onError('opensearch', err);
      reasons.push('search-index-unavailable');
      try {
        cands = await fromStore(q);
      } catch (err2) {
        onError('flights-store', err2);
      }
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
    if (reasons.length > 0) for (const reason of reasons) metrics.degraded.inc({ reason });
    else responseCache.set(cacheKey, response);
    return response;
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
