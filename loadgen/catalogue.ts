import type { SearchResponse } from '../system/contracts.ts';

/**
 * Catalogue hints for the load: which routes and dates to search. They must match the catalogue
 * the services generate (CATALOGUE_SEED); pass others through `WS_AIRPORTS` / `WS_DATES`.
 */
export const DEFAULT_AIRPORTS = ['LHR', 'JFK', 'CDG', 'FRA', 'AMS', 'MAD', 'DXB', 'SIN'];
export const DEFAULT_DATES = ['2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04'];

export interface CatalogueHints {
  airports: string[];
  dates: string[];
}

/** `__ENV` of loadgen/k6/traffic.ts for these hints (and known flight ids, if any). */
export function catalogueEnv(h: CatalogueHints, flightIds: string[] = []): Record<string, string> {
  const env: Record<string, string> = { WS_AIRPORTS: h.airports.join(','), WS_DATES: h.dates.join(',') };
  if (flightIds.length > 0) env.WS_FLIGHT_IDS = flightIds.join(',');
  return env;
}

/**
 * Flight ids found by searching a few routes through the edge (before load starts), so every
 * VU can price, reserve and book from its first iteration. Bounded: `maxSearches` requests of
 * `timeoutMs` each; returns what it found (possibly nothing), never throws.
 */
export async function discoverFlightIds(
  baseUrl: string,
  hints: CatalogueHints = { airports: DEFAULT_AIRPORTS, dates: DEFAULT_DATES },
  opts: { max?: number; maxSearches?: number; timeoutMs?: number } = {},
): Promise<string[]> {
  const max = opts.max ?? 200;
  const found = new Set<string>();
  const { airports, dates } = hints;
  let searches = 0;
  for (let i = 0; i < airports.length && searches < (opts.maxSearches ?? 12); i++) {
    for (let j = 0; j < airports.length && searches < (opts.maxSearches ?? 12); j++) {
      if (i === j) continue;
      const date = dates[searches % Math.max(1, dates.length)] ?? '';
      searches++;
      const q = new URLSearchParams({ origin: airports[i] ?? '', destination: airports[j] ?? '', date });
      try {
        const res = await fetch(`${baseUrl}/v1/search?${q}`, {
          signal: AbortSignal.timeout(opts.timeoutMs ?? 2000),
        });
        if (!res.ok) {
          await res.arrayBuffer();
          continue;
        }
        const body = (await res.json()) as Partial<SearchResponse>;
        for (const r of body.results ?? []) if (typeof r.flightId === 'string') found.add(r.flightId);
      } catch {
        // the stack may be degraded; the k6 script falls back to searching per VU
      }
      if (found.size >= max) return [...found].slice(0, max);
    }
  }
  return [...found];
}
