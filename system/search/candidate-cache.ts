import type { SearchResponse } from '../contracts.ts';
import { type CacheRead, type LoadContext, SingleFlightCache } from '../lib/single-flight-cache.ts';
import type { FlightDoc, SearchQuery } from './search-query.ts';

/** The flights of a search before prices: what the index (or the store) answers. */
export interface Candidates {
  docs: FlightDoc[];
  total: number;
  facets: SearchResponse['facets'];
}

/** Candidates as cached: where they came from and, from the store, why. */
export interface CandidateSet extends Candidates {
  source: 'index' | 'store';
  /** Why the store answered: `search-index-unavailable` (failed, breaker open) or `search-index-slow`. */
  reason?: string;
}

export interface CandidateCacheOptions {
  /** Index query (behind its breaker); the client's own timeout bounds it. */
  index: (q: SearchQuery) => Promise<Candidates>;
  /** Store query, the fallback. */
  store: (q: SearchQuery) => Promise<Candidates>;
  /** How long a caller waits for the index before the store answers it (the index call goes on). */
  budgetMs: number;
  /** Index candidates are served without a refresh this long. */
  freshMs: number;
  /** Store candidates (index down or slow) are served without a refresh this long. */
  storeFreshMs: number;
  /** 0 to 1: each load's fresh time is cut by a random share up to this (SingleFlightCache). */
  freshJitter?: number;
  /** Oldest candidates served while the index and the store both fail. */
  maxStaleMs: number;
  capacity: number;
  now?: () => number;
  onError?: (what: string, err: unknown) => void;
}

/** The candidate set's key: the query without `limit` (candidates do not depend on it). */
export function candidateKey(q: SearchQuery): string {
  const { limit: _limit, ...rest } = q;
  return JSON.stringify(rest);
}

type Race<T> = { ok: T } | { err: unknown } | { late: true };

function withinBudget<T>(p: Promise<T>, ms: number): Promise<Race<T>> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<Race<T>>((res) => {
    timer = setTimeout(() => res({ late: true }), ms);
  });
  return Promise.race([
    p.then(
      (ok) => ({ ok }),
      (err: unknown) => ({ err }),
    ),
    late,
  ]).finally(() => clearTimeout(timer));
}

/** The first of two promises to resolve; rejects with the second's error when both reject. */
function firstAnswer<T>(a: Promise<T>, b: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let failed = 0;
    const fail = (err: unknown) => {
      failed += 1;
      if (failed === 2) reject(err);
    };
    a.then(resolve, fail);
    b.then(resolve, fail);
  });
}

/**
 * Search candidates per query key, so a search does not wait on OpenSearch per request:
 *   - one load in flight per key; index candidates served `freshMs`, then refreshed in the
 *     background from the index only (a failed refresh keeps serving them, flagged);
 *   - a caller without a cached set waits for the index at most `budgetMs`, then asks the store
 *     too and takes the first answer (a hedged request); an index answer that comes later still
 *     fills the cache.
 */
export class CandidateCache {
  private readonly cache: SingleFlightCache<CandidateSet>;

  constructor(private readonly o: CandidateCacheOptions) {
    this.cache = new SingleFlightCache<CandidateSet>({
      capacity: o.capacity,
      freshMs: o.freshMs,
      maxStaleMs: o.maxStaleMs,
      freshFor: (v) => (v.source === 'index' ? o.freshMs : o.storeFreshMs),
      jitter: o.freshJitter ?? 0,
      ...(o.now ? { now: o.now } : {}),
      onRefreshError: (_key, err) => o.onError?.('opensearch-refresh', err),
    });
  }

  /** Candidates for the query, with the degraded reasons they carry. */
  async get(q: SearchQuery): Promise<CacheRead<CandidateSet> & { reasons: string[] }> {
    const key = candidateKey(q);
    const r = await this.cache.get(key, (ctx) => this.load(key, q, ctx));
    const reasons: string[] = [];
    if (r.value.source === 'store') reasons.push(r.value.reason ?? 'search-index-unavailable');
    if (r.refreshFailed) {
      if (r.value.source === 'index') reasons.push('search-index-unavailable');
      reasons.push('stale-candidates');
    }
    return { ...r, reasons };
  }

  get size(): number {
    return this.cache.size;
  }

  private async load(key: string, q: SearchQuery, ctx: LoadContext): Promise<CandidateSet> {
    const idx = this.o.index(q);
    if (ctx.background) return { ...(await idx), source: 'index' };
    const first = await withinBudget(idx, this.o.budgetMs);
    if ('ok' in first) return { ...first.ok, source: 'index' };
    if ('err' in first) {
      this.o.onError?.('opensearch', first.err);
      return { ...(await this.o.store(q)), source: 'store', reason: 'search-index-unavailable' };
    }
    // Past the budget: ask the store too and serve whichever answers first; an index answer that
    // comes after the store's still replaces it in the cache.
    const fromIndex = idx.then((c): CandidateSet => {
      this.cache.set(key, { ...c, source: 'index' });
      return { ...c, source: 'index' };
    });
    fromIndex.catch((err: unknown) => this.o.onError?.('opensearch', err));
    const fromStore = this.o
      .store(q)
      .then((c): CandidateSet => ({ ...c, source: 'store', reason: 'search-index-slow' }));
    return firstAnswer(fromIndex, fromStore);
  }
}
