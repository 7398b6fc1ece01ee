import { describe, expect, it } from 'vitest';
import { type LoadContext, SingleFlightCache } from './single-flight-cache.ts';

function deferred<T>() {
  let resolve: (v: T) => void = () => undefined;
  let reject: (e: unknown) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const flush = () => new Promise((r) => setImmediate(r));

function cache(
  opts: { capacity?: number; freshFor?: (v: string) => number; jitter?: number; random?: () => number } = {},
) {
  let t = 0;
  const errors: string[] = [];
  const c = new SingleFlightCache<string>({
    capacity: opts.capacity ?? 10,
    freshMs: 1_000,
    maxStaleMs: 10_000,
    now: () => t,
    onRefreshError: (k) => errors.push(k),
    ...(opts.freshFor ? { freshFor: opts.freshFor } : {}),
    ...(opts.jitter !== undefined ? { jitter: opts.jitter } : {}),
    ...(opts.random ? { random: opts.random } : {}),
  });
  return { c, errors, advance: (ms: number) => (t += ms) };
}

describe('SingleFlightCache', () => {
  it('runs one load per key for concurrent misses and shares its value', async () => {
    const { c } = cache();
    const d = deferred<string>();
    let loads = 0;
    const load = () => {
      loads++;
      return d.promise;
    };
    const reads = [c.get('k', load), c.get('k', load), c.get('k', load)];
    await flush();
    expect(c.inFlight).toBe(1);
    d.resolve('v');
    const got = await Promise.all(reads);
    expect(loads).toBe(1);
    expect(got.map((r) => [r.value, r.hit])).toEqual([
      ['v', 'miss'],
      ['v', 'miss'],
      ['v', 'miss'],
    ]);
    expect(c.inFlight).toBe(0);
    expect((await c.get('k', load)).hit).toBe('fresh');
    expect(loads).toBe(1);
  });

  it('gives every waiter the error of a failed load and caches nothing', async () => {
    const { c } = cache();
    const d = deferred<string>();
    const reads = [c.get('k', () => d.promise), c.get('k', () => d.promise)];
    d.reject(new Error('down'));
    for (const r of reads) await expect(r).rejects.toThrow('down');
    expect(c.size).toBe(0);
    expect((await c.get('k', async () => 'v')).value).toBe('v');
  });

  it('does not leave a load that throws synchronously in flight', async () => {
    const { c } = cache();
    await expect(
      c.get('k', () => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
    expect(c.inFlight).toBe(0);
  });

  it('serves a stale entry at once and refreshes it once in the background', async () => {
    const { c, advance } = cache();
    await c.get('k', async () => 'v1');
    advance(1_500);
    const d = deferred<string>();
    const seen: LoadContext[] = [];
    const load = (ctx: LoadContext) => {
      seen.push(ctx);
      return d.promise;
    };
    const a = await c.get('k', load);
    const b = await c.get('k', load);
    expect([a.value, a.hit, a.ageMs, b.hit]).toEqual(['v1', 'stale', 1_500, 'stale']);
    expect(seen).toEqual([{ background: true }]);
    d.resolve('v2');
    await flush();
    const r = await c.get('k', load);
    expect([r.value, r.hit]).toEqual(['v2', 'fresh']);
  });

  it('keeps a stale entry when its refresh fails and says so', async () => {
    const { c, advance, errors } = cache();
    await c.get('k', async () => 'v1');
    advance(2_000);
    expect((await c.get('k', () => Promise.reject(new Error('down')))).refreshFailed).toBe(false);
    await flush();
    expect(errors).toEqual(['k']);
    const r = await c.get('k', () => new Promise<string>(() => undefined));
    expect([r.value, r.hit, r.refreshFailed]).toEqual(['v1', 'stale', true]);
  });

  it('waits for a load once the entry is older than maxStaleMs', async () => {
    const { c, advance } = cache();
    await c.get('k', async () => 'v1');
    advance(10_001);
    const r = await c.get('k', async () => 'v2');
    expect([r.value, r.hit]).toEqual(['v2', 'miss']);
  });

  it('takes the fresh time from the value when freshFor is given', async () => {
    const { c, advance } = cache({ freshFor: (v) => (v === 'short' ? 100 : 1_000) });
    await c.get('k', async () => 'short');
    advance(200);
    expect((await c.get('k', async () => 'long')).hit).toBe('stale');
  });

  it('with jitter, cuts the fresh time of each load by a random share up to it, so keys loaded together go stale apart', async () => {
    const draws = [0, 0.5, 0.999];
    const { c, advance } = cache({ jitter: 0.25, random: () => draws.shift() ?? 0 });
    for (const k of ['a', 'b', 'c']) await c.get(k, async () => k);
    // fresh for 1,000, 875 and ~750 ms
    advance(760);
    const hits = async () =>
      Promise.all(['a', 'b', 'c'].map(async (k) => (await c.get(k, async () => k)).hit));
    expect(await hits()).toEqual(['fresh', 'fresh', 'stale']);
    advance(120);
    expect((await c.get('b', async () => 'b')).hit).toBe('stale');
    expect((await c.get('a', async () => 'a')).hit).toBe('fresh');
  });

  it('without jitter, every load is fresh for exactly its fresh time', async () => {
    const { c, advance } = cache({ random: () => 0.999 });
    await c.get('k', async () => 'v');
    advance(1_000);
    expect((await c.get('k', async () => 'v')).hit).toBe('fresh');
    advance(1);
    expect((await c.get('k', async () => 'v')).hit).toBe('stale');
  });

  it('evicts the least recently used key beyond capacity', async () => {
    const { c } = cache({ capacity: 2 });
    await c.get('a', async () => 'a');
    await c.get('b', async () => 'b');
    await c.get('a', async () => 'x');
    await c.get('c', async () => 'c');
    expect((await c.get('a', async () => 'x')).value).toBe('a');
    expect((await c.get('b', async () => 'y')).hit).toBe('miss');
  });
});
