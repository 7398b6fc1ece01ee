import { describe, expect, it } from 'vitest';
import { BreakerOpenError, CircuitBreaker } from './breaker.ts';

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
});
