import RequestQueue from 'kafkajs/src/network/requestQueue/index.js';

/** kafkajs's own delay before it looks at queued requests again (CHECK_PENDING_REQUESTS_INTERVAL). */
const PENDING_CHECK_MS = 10;

type Queue = InstanceType<typeof RequestQueue>;

/** Marks the patched sendSocketRequest, so patching twice wraps once. */
const QUIET = Symbol('windshear.quietRequestQueue');

/** Per queue: the one timer that times out in-flight requests, and when it fires. */
const deadlineTimers = new WeakMap<Queue, { timer: ReturnType<typeof setTimeout>; at: number }>();

/** Arms the queue's timeout timer for its earliest in-flight deadline, unless one fires sooner. */
function armTimeoutCheck(q: Queue): void {
  let at = Number.POSITIVE_INFINITY;
  for (const r of q.inflight.values())
    if (r.sentAt !== null) at = Math.min(at, r.sentAt + r.requestTimeout + 1);
  if (at === Number.POSITIVE_INFINITY) return;
  const armed = deadlineTimers.get(q);
  if (armed && armed.at <= at) return;
  if (armed) clearTimeout(armed.timer);
  const timer = setTimeout(
    () => {
      deadlineTimers.delete(q);
      const now = Date.now();
      // As kafkajs's own check: a request is late once more than its timeout has passed.
      for (const r of [...q.inflight.values()])
        if (r.sentAt !== null && now - r.sentAt > r.requestTimeout) r.timeoutRequest();
      if (q.isConnected()) armTimeoutCheck(q);
    },
    Math.max(0, at - Date.now()),
  );
  deadlineTimers.set(q, { timer, at });
}

/**
 * Two timers kafkajs 2.2.4 (unmaintained) keeps running on every broker connection, idle or not:
 *
 * - It re-arms a timer after every check of a connection's request queue, even with nothing
 *   queued and no throttling: `throttledUntil - now` is negative, so the timer fires after 1 ms,
 *   checks, and re-arms, for as long as the connection lives. Measured on one idle queue: ~800
 *   checks a second; over the 15 services' broker connections that was most of the idle stack's
 *   Node CPU. This keeps kafkajs's behaviour when requests are queued or the broker throttles,
 *   and arms nothing otherwise: a request queued later arms its own check (`push`), and an
 *   answered one checks the queue at once (`fulfillRequest`).
 * - It checks every connection for timed-out requests every 100 ms, also with nothing in flight:
 *   ten wakeups a second per broker connection (9 in a stream worker, 10 in a reservations
 *   worker, counted with `ss` on an idle stack). Instead one timer per connection is armed for
 *   the earliest deadline of its in-flight requests when a request is sent, and none while nothing
 *   is in flight. A late request is now timed out at its deadline (+1 ms), not up to 100 ms after.
 */
export function quietRequestQueue(): void {
  RequestQueue.prototype.scheduleCheckPendingRequests = function scheduleCheckPendingRequests() {
    if (this.throttleCheckTimeoutId) return;
    const throttledFor = this.throttledUntil - Date.now();
    if (this.pending.length === 0 && throttledFor <= 0) return;
    const delay = throttledFor > 0 ? throttledFor : PENDING_CHECK_MS;
    this.throttleCheckTimeoutId = setTimeout(() => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    }, delay);
  };
  if (QUIET in RequestQueue.prototype.sendSocketRequest) return;
  const { sendSocketRequest, destroy } = RequestQueue.prototype;
  RequestQueue.prototype.scheduleRequestTimeoutCheck = function scheduleRequestTimeoutCheck() {
    // kafkajs arms its 100 ms interval here, once per connection: armed per request instead.
    this.destroy();
  };
  RequestQueue.prototype.sendSocketRequest = Object.assign(
    function sendTimed(this: Queue, request: Parameters<Queue['sendSocketRequest']>[0]) {
      sendSocketRequest.call(this, request);
      if (this.enforceRequestTimeout && this.inflight.has(request.correlationId)) armTimeoutCheck(this);
    },
    { [QUIET]: true },
  );
  RequestQueue.prototype.destroy = function destroyAll() {
    destroy.call(this);
    const armed = deadlineTimers.get(this);
    if (armed) clearTimeout(armed.timer);
    deadlineTimers.delete(this);
  };
}
