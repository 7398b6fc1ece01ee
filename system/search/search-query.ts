import { z } from 'zod';
import type { SearchResponse } from '../contracts.ts';
import { type FacetFilters, WINDOWS } from './facets.ts';

const hhmm = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM (UTC)')
  .transform((s) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3)));
const csvList = z.string().transform((s) => s.split(',').filter(Boolean));

/** GET /v1/search query (contracts.ts ROUTES.search). */
export const searchQuerySchema = z
  .object({
    origin: z.string().regex(/^[A-Z]{3}$/, 'IATA airport code, e.g. LHR'),
    destination: z.string().regex(/^[A-Z]{3}$/, 'IATA airport code, e.g. JFK'),
    date: z.iso.date('YYYY-MM-DD'),
    airline: csvList
      .pipe(
        z
          .array(z.string().regex(/^[A-Z0-9]{2}$/, 'IATA airline code'))
          .min(1)
          .max(20),
      )
      .optional(),
    stops: csvList
      .pipe(
        z
          .array(
            z
              .string()
              .regex(/^[0-3]$/, 'stops 0..3')
              .transform(Number),
          )
          .min(1)
          .max(4),
      )
      .optional(),
    departAfter: hhmm.optional(),
    departBefore: hhmm.optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict()
  .refine((q) => q.origin !== q.destination, {
    message: 'origin and destination must differ',
    path: ['destination'],
  })
  .refine(
    (q) => q.departAfter === undefined || q.departBefore === undefined || q.departAfter < q.departBefore,
    {
      message: 'departAfter must be before departBefore',
      path: ['departBefore'],
    },
  );

export type SearchQuery = z.output<typeof searchQuerySchema>;

export function facetFilters(q: SearchQuery): FacetFilters {
  return {
    ...(q.airline ? { airlines: q.airline } : {}),
    ...(q.stops ? { stops: q.stops } : {}),
    ...(q.departAfter !== undefined ? { departAfterMin: q.departAfter } : {}),
    ...(q.departBefore !== undefined ? { departBeforeMin: q.departBefore } : {}),
  };
}

/** Day bounds of the query date, UTC, as ISO strings [from, to). */
export function dayBounds(date: string): [string, string] {
  const from = Date.parse(`${date}T00:00:00Z`);
  return [new Date(from).toISOString(), new Date(from + 86_400_000).toISOString()];
}

/** How many candidates are fetched from the index to rank by price in the service. */
export const CANDIDATES = 200;

/**
 * OpenSearch body: route and day as filters, facet filters as post_filter so facet counts cover
 * the whole route-day, aggregations for the three facets.
 */
export function buildSearchBody(q: SearchQuery): Record<string, unknown> {
  const [from, to] = dayBounds(q.date);
  const post: Record<string, unknown>[] = [];
  const f = facetFilters(q);
  if (f.airlines) post.push({ terms: { airline: f.airlines } });
  if (f.stops) post.push({ terms: { stops: f.stops } });
  if (f.departAfterMin !== undefined || f.departBeforeMin !== undefined) {
    post.push({
      range: {
        departureMinute: {
          ...(f.departAfterMin !== undefined ? { gte: f.departAfterMin } : {}),
          ...(f.departBeforeMin !== undefined ? { lt: f.departBeforeMin } : {}),
        },
      },
    });
  }
  return {
    size: CANDIDATES,
    track_total_hits: true,
    query: {
      bool: {
        filter: [
          { term: { origin: q.origin } },
          { term: { destination: q.destination } },
          { range: { departure: { gte: from, lt: to } } },
        ],
      },
    },
    ...(post.length ? { post_filter: { bool: { filter: post } } } : {}),
    sort: [{ departure: 'asc' }, { flightId: 'asc' }],
    aggs: {
      airline: { terms: { field: 'airline', size: 50 } },
      stops: { terms: { field: 'stops', size: 10 } },
      departureWindow: { terms: { field: 'departureWindow', size: 4 } },
    },
  };
}

export const flightDocSchema = z.object({
  flightId: z.string(),
  airline: z.string(),
  flightNumber: z.string(),
  origin: z.string(),
  destination: z.string(),
  departure: z.string(),
  arrival: z.string(),
  stops: z.number(),
});
export type FlightDoc = z.output<typeof flightDocSchema>;

const bucket = z.object({ key: z.union([z.string(), z.number()]), doc_count: z.number() });
const searchResponseSchema = z.object({
  hits: z.object({
    total: z.union([z.number(), z.object({ value: z.number() })]),
    hits: z.array(z.object({ _source: flightDocSchema })),
  }),
  aggregations: z.object({
    airline: z.object({ buckets: z.array(bucket) }),
    stops: z.object({ buckets: z.array(bucket) }),
    departureWindow: z.object({ buckets: z.array(bucket) }),
  }),
});

export function parseSearchResponse(body: unknown): {
  docs: FlightDoc[];
  total: number;
  facets: SearchResponse['facets'];
} {
  const r = searchResponseSchema.parse(body);
  const a = r.aggregations;
  const windows = new Map(a.departureWindow.buckets.map((b) => [String(b.key), b.doc_count]));
  return {
    docs: r.hits.hits.map((h) => h._source),
    total: typeof r.hits.total === 'number' ? r.hits.total : r.hits.total.value,
    facets: {
      airline: a.airline.buckets.map((b) => ({ value: String(b.key), count: b.doc_count })),
      stops: a.stops.buckets
        .map((b) => ({ value: Number(b.key), count: b.doc_count }))
        .sort((x, y) => x.value - y.value),
      departureWindow: WINDOWS.filter((w) => windows.has(w)).map((value) => ({
        value,
        count: windows.get(value) ?? 0,
      })),
    },
  };
}
