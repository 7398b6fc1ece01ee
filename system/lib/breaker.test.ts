import { describe, expect, it } from 'vitest';
import { BreakerOpenError, type BreakerOptions, CircuitBreaker, rampShare } from './breaker.ts';

const fail = () => Promise.reject(new Error('down'));
const ok = () => Promise.resolve('ok');

function breaker() {
  let t = 0;
  const changes: string[] = [];
  const b = new CircuitBreaker({
    name: 'os',
    now: () => t,
    onStateChange: (_n, s) => changes.push(s),
    isFailure: (e) => !(e instanceof RangeError),
  });
  return { b, changes, advance: (ms: number) => (t += ms) };
}

async function failTimes(b: CircuitBreaker, n: number) {
  for (let i = 0; i < n; i++) await b.run(fail).catch(() => undefined);
}

describe('CircuitBreaker', () => {
  it('opens after 5 failures and fails fast while open', async () => {
    const { b } = breaker();
    await failTimes(b, 4);
    expect(b.getState()).toBe('closed');
    await failTimes(b, 1);
    expect(b.getState()).toBe('open');
    let called = false;
    await expect(
      b.run(async () => {
        called = true;
      }),
    ).rejects.toBeInstanceOf(BreakerOpenError);
    expect(called).toBe(false);
  });

  it('forgets failures older than the window', async () => {
    const { b, advance } = breaker();
    await failTimes(b, 4);
    advance(61_000);
    await failTimes(b, 4);
    expect(b.getState()).toBe('closed');
  });

  it('does not count errors the predicate excludes', async () => {
    const { b } = breaker();
    for (let i = 0; i < 10; i++) await b.run(() => Promise.reject(new RangeError('404'))).catch(() => 0);
    expect(b.getState()).toBe('closed');
  });

  it('half-opens after 30 s and closes after 3 successes', async () => {
    const { b, advance, changes } = breaker();
    await failTimes(b, 5);
    advance(29_999);
    expect(b.getState()).toBe('open');
    advance(1);
    expect(b.getState()).toBe('half-open');
    await b.run(ok);
    await b.run(ok);
    expect(b.getState()).toBe('half-open');
    await b.run(ok);
    expect(b.getState()).toBe('closed');
    expect(changes).toEqual(['open', 'half-open', 'closed']);
  });

  it('re-opens on a failed trial and allows one trial at a time', async () => {
    const { b, advance } = breaker();
    await failTimes(b, 5);
    advance(30_000);
    let release: () => void = () => undefined;
    const slow = b.run(() => new Promise<void>((r) => (release = r)));
    await expect(b.run(ok)).rejects.toBeInstanceOf(BreakerOpenError);
    release();
    await slow;
    await b.run(fail).catch(() => undefined);
    expect(b.getState()).toBe('open');
  });

  it('counts a call slower than slowCallMs as a failure', async () => {
    let t = 0;
    const b = new CircuitBreaker({ name: 'os', now: () => t, slowCallMs: 100 });
    const slowOk = () => {
      t += 150;
      return Promise.resolve('late');
    };
    for (let i = 0; i < 4; i++) expect(await b.run(slowOk)).toBe('late');
    expect(b.getState()).toBe('closed');
    await b.run(slowOk);
    expect(b.getState()).toBe('open');
  });

  it('with a rate threshold, a few bad calls among many do not trip it', async () => {
    let t = 0;
    const b = new CircuitBreaker({
      name: 'os',
      now: () => t,
      failureRateThreshold: 0.5,
      minimumCalls: 10,
    });
    for (let i = 0; i < 100; i++) {
      t += 10;
      await b.run(i % 10 === 0 ? fail : ok).catch(() => undefined);
    }
    expect(b.getState()).toBe('closed');
    for (let i = 0; i < 100; i++) {
      t += 10;
      await b.run(fail).catch(() => undefined);
    }
    expect(b.getState()).toBe('open');
  });

  it('lets a trickle through after closing, rising to full traffic over rampMs', async () => {
    let t = 0;
    const opts: BreakerOptions = { name: 'os', now: () => t, openMs: 1_000, rampMs: 10_000 };
    const b = new CircuitBreaker(opts);
    await failTimes(b, 5);
    t += 1_000;
    for (let i = 0; i < 3; i++) await b.run(ok);
    expect(b.getState()).toBe('closed');
    const admitted = async (n: number) => {
      let a = 0;
      for (let i = 0; i < n; i++) if (await b.run(ok).catch(() => null)) a++;
      return a;
    };
    expect(b.wouldAdmit()).toBe(false);
    const first = await admitted(100);
    expect(first).toBeGreaterThanOrEqual(9);
    expect(first).toBeLessThanOrEqual(10);
    t += 5_000;
    const mid = await admitted(100);
    expect(mid).toBeGreaterThan(40);
    expect(mid).toBeLessThan(70);
    t += 5_000;
    expect(await admitted(100)).toBe(100);
    expect(rampShare(0, 0)).toBe(1);
  });

  it('allows halfOpenConcurrency trials at once', async () => {
    let t = 0;
    const b = new CircuitBreaker({ name: 'os', now: () => t, halfOpenConcurrency: 2 });
    await failTimes(b, 5);
    t += 30_000;
    const releases: (() => void)[] = [];
    const hold = () => new Promise<void>((r) => releases.push(r));
    const a = b.run(hold);
    const c = b.run(hold);
    expect(b.wouldAdmit()).toBe(false);
    await expect(b.run(ok)).rejects.toBeInstanceOf(BreakerOpenError);
    for (const r of releases) r();
    await Promise.all([a, c]);
    expect(b.getState()).toBe('half-open');
  });
});
