import RequestQueue from 'kafkajs/src/network/requestQueue/index.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { quietRequestQueue } from './quiet-request-queue.ts';

const logger = { debug() {}, info() {}, warn() {}, error() {}, namespace: () => logger };
const queue = () =>
  new RequestQueue({
    instrumentationEmitter: null,
    maxInFlightRequests: null,
    requestTimeout: 1000,
    enforceRequestTimeout: false,
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
  const original = RequestQueue.prototype.scheduleCheckPendingRequests;
  afterEach(() => {
    RequestQueue.prototype.scheduleCheckPendingRequests = original;
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
