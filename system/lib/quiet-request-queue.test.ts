import RequestQueue from 'kafkajs/src/network/requestQueue/index.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { quietRequestQueue } from './quiet-request-queue.ts';

const logger = { debug() {}, info() {}, warn() {}, error() {}, namespace: () => logger };
/** The methods quietRequestQueue replaces, as kafkajs ships them (restored after each test). */
const shipped = (
  ['sendSocketRequest', 'destroy', 'scheduleRequestTimeoutCheck', 'scheduleCheckPendingRequests'] as const
).reduce((o, k) => Object.assign(o, { [k]: RequestQueue.prototype[k] }), {});
const queue = (enforceRequestTimeout = false) =>
  new RequestQueue({
    instrumentationEmitter: null,
    maxInFlightRequests: null,
    requestTimeout: 1000,
    enforceRequestTimeout,
    clientId: 'test',
    broker: 'b:9092',
    logger,
    isConnected: () => true,
  });

/** How often the queue checks itself over `ms` of (fake) time after one check. */
function checksAfterOneCheck(ms: number, prepare: (q: ReturnType<typeof queue>) => void = () => {}): number {
  const q = queue();
  prepare(q);
  let n = 0;
  const check = q.checkPendingRequests.bind(q);
  q.checkPendingRequests = () => {
    n++;
    check();
  };
  q.checkPendingRequests();
  vi.advanceTimersByTime(ms);
  if (q.throttleCheckTimeoutId) clearTimeout(q.throttleCheckTimeoutId);
  return n - 1;
}

describe('quietRequestQueue (kafkajs 2.2.4 request queue)', () => {
  afterEach(() => {
    Object.assign(RequestQueue.prototype, shipped);
    vi.useRealTimers();
  });

  it('as shipped, an idle queue checks itself every millisecond (the defect this patches)', () => {
    vi.useFakeTimers();
    expect(checksAfterOneCheck(1000)).toBeGreaterThanOrEqual(500);
  });

  it('patched, an idle queue arms no timer at all', () => {
    vi.useFakeTimers();
    quietRequestQueue();
    expect(checksAfterOneCheck(1000)).toBe(0);
  });

  it('patched, a queue with requests waiting still checks them every 10 ms, and a throttled one at the end of the throttle', () => {
    vi.useFakeTimers();
    quietRequestQueue();
    const waiting = checksAfterOneCheck(100, (q) => {
      q.pending.push({});
      // never sendable: the test only counts checks
      (q as unknown as { canSendSocketRequestImmediately: () => boolean }).canSendSocketRequestImmediately =
        () => false;
    });
    expect(waiting).toBeGreaterThanOrEqual(9);
    expect(waiting).toBeLessThanOrEqual(11);
    const throttled = checksAfterOneCheck(1000, (q) => {
      q.throttledUntil = Date.now() + 300;
    });
    expect(throttled).toBe(1);
  });
});

/** Sends one request that nobody answers until `answer` is called. */
function send(q: ReturnType<typeof queue>, correlationId: number, requestTimeout?: number) {
  const outcome: { resolved?: boolean; error?: Error } = {};
  q.push({
    entry: {
      correlationId,
      apiName: 'Fetch',
      apiKey: 1,
      apiVersion: 11,
      resolve: () => {
        outcome.resolved = true;
      },
      reject: (err: Error) => {
        outcome.error = err;
      },
    } as never,
    expectResponse: true,
    sendRequest: () => {},
    ...(requestTimeout !== undefined ? { requestTimeout } : {}),
  });
  return { outcome, answer: () => q.fulfillRequest({ correlationId, payload: Buffer.alloc(0), size: 0 }) };
}

describe('quietRequestQueue: request timeouts', () => {
  afterEach(() => {
    Object.assign(RequestQueue.prototype, shipped);
    vi.useRealTimers();
  });

  it('as shipped, a connection with nothing in flight keeps a 100 ms timer (the defect this patches)', () => {
    vi.useFakeTimers();
    const q = queue(true);
    q.scheduleRequestTimeoutCheck();
    expect(vi.getTimerCount()).toBe(1);
    q.destroy();
  });

  it('patched, a connection with nothing in flight arms no timer, and one with a request arms one', () => {
    vi.useFakeTimers();
    quietRequestQueue();
    quietRequestQueue(); // twice wraps once
    const q = queue(true);
    q.scheduleRequestTimeoutCheck();
    expect(vi.getTimerCount()).toBe(0);
    const a = send(q, 1);
    send(q, 2);
    expect(vi.getTimerCount()).toBe(1);
    a.answer();
    expect(a.outcome.resolved).toBe(true);
    q.destroy();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('patched, an unanswered request is timed out at its deadline, and nothing stays armed after', () => {
    vi.useFakeTimers();
    quietRequestQueue();
    const q = queue(true);
    const { outcome } = send(q, 1);
    vi.advanceTimersByTime(1000);
    expect(outcome.error).toBeUndefined();
    vi.advanceTimersByTime(2);
    expect(outcome.error?.name).toBe('KafkaJSRequestTimeoutError');
    expect(q.inflight.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('patched, an answered request is not timed out, and a later one with an earlier deadline is timed out on time', () => {
    vi.useFakeTimers();
    quietRequestQueue();
    const q = queue(true);
    // A long poll (its own longer timeout), then an ordinary request 100 ms later.
    const poll = send(q, 1, 5000);
    vi.advanceTimersByTime(100);
    const next = send(q, 2);
    vi.advanceTimersByTime(1002);
    expect(next.outcome.error?.name).toBe('KafkaJSRequestTimeoutError');
    expect(poll.outcome.error).toBeUndefined();
    poll.answer();
    vi.advanceTimersByTime(10_000);
    expect(poll.outcome.error).toBeUndefined();
    expect(poll.outcome.resolved).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('patched, with request timeouts off (enforceRequestTimeout false) nothing is armed', () => {
    vi.useFakeTimers();
    quietRequestQueue();
    const q = queue(false);
    send(q, 1);
    expect(vi.getTimerCount()).toBe(0);
  });
});
