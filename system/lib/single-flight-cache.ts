/**
 * In-process cache with one load in flight per key and stale-while-revalidate:
 *   - an entry younger than its fresh time is served as is;
 *   - an older one, up to `maxStaleMs`, is served at once while one background refresh runs;
 *     a refresh that fails keeps the entry and marks it `refreshFailed`;
 *   - a missing (or too old) key waits for the load; concurrent callers of the same key share it.
 * Least recently used entries beyond `capacity` are dropped. With `jitter`, each load's fresh time
 * is shortened by a random share of up to `jitter`, so keys loaded together (a warm-up, a
 * restart) do not all go stale, and refresh, in the same moment of every period.
 */
export interface CacheOptions<V> {
  capacity: number;
  /** How long an entry is served without a refresh (per value with `freshFor`). */
  freshMs: number;
  /** How long past its load an entry may still be served while refreshing. */
  maxStaleMs: number;
  freshFor?: (value: V) => number;
  /** 0 (the default) to 1: a load's fresh time is cut by a random share up to this. */
  jitter?: number;
  now?: () => number;
  /** Uniform in [0, 1) (Math.random by default), for `jitter`. */
  random?: () => number;
  onRefreshError?: (key: string, err: unknown) => void;
}

export interface CacheRead<V> {
  value: V;
  /** `fresh`/`stale`: served from the cache; `miss`: this caller waited for a load. */
  hit: 'fresh' | 'stale' | 'miss';
  ageMs: number;
  /** The last refresh of a stale entry failed: the value is older than it should be. */
  refreshFailed: boolean;
}

/** What the loader is told: a background refresh has no caller waiting for it. */
export interface LoadContext {
  background: boolean;
}

interface Entry<V> {
  value: V;
  loadedAt: number;
  freshMs: number;
  refreshFailed: boolean;
}

export class SingleFlightCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly loads = new Map<string, Promise<V>>();
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(private readonly opts: CacheOptions<V>) {
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
  }

  async get(key: string, load: (ctx: LoadContext) => Promise<V>): Promise<CacheRead<V>> {
    const e = this.entries.get(key);
    const t = this.now();
    if (e && t - e.loadedAt <= this.opts.maxStaleMs) {
      this.touch(key, e);
      const ageMs = t - e.loadedAt;
      if (ageMs <= e.freshMs) return { value: e.value, hit: 'fresh', ageMs, refreshFailed: false };
      if (!this.loads.has(key)) {
        this.start(key, load, true).catch((err: unknown) => {
          const cur = this.entries.get(key);
          if (cur) cur.refreshFailed = true;
          this.opts.onRefreshError?.(key, err);
        });
      }
      return { value: e.value, hit: 'stale', ageMs, refreshFailed: e.refreshFailed };
    }
    const value = await (this.loads.get(key) ?? this.start(key, load, false));
    return { value, hit: 'miss', ageMs: 0, refreshFailed: false };
  }

  /** Stores a value loaded elsewhere (e.g. a slow load that finished after its caller gave up). */
  set(key: string, value: V): void {
    this.touch(key, {
      value,
      loadedAt: this.now(),
      freshMs:
        (this.opts.freshFor?.(value) ?? this.opts.freshMs) * (1 - (this.opts.jitter ?? 0) * this.random()),
      refreshFailed: false,
    });
  }

  get size(): number {
    return this.entries.size;
  }

  /** Loads under way (tests and metrics). */
  get inFlight(): number {
    return this.loads.size;
  }

  private start(key: string, load: (ctx: LoadContext) => Promise<V>, background: boolean): Promise<V> {
    const p: Promise<V> = Promise.resolve()
      .then(() => load({ background }))
      .then((value) => {
        this.set(key, value);
        return value;
      })
      .finally(() => {
        if (this.loads.get(key) === p) this.loads.delete(key);
      });
    this.loads.set(key, p);
    return p;
  }

  private touch(key: string, e: Entry<V>): void {
    this.entries.delete(key);
    this.entries.set(key, e);
    while (this.entries.size > this.opts.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }
}
