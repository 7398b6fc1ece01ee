import RequestQueue from 'kafkajs/src/network/requestQueue/index.js';

/** kafkajs's own delay before it looks at queued requests again (CHECK_PENDING_REQUESTS_INTERVAL). */
const PENDING_CHECK_MS = 10;

/**
 * kafkajs 2.2.4 (unmaintained) re-arms a timer after every check of a connection's request
 * queue, even with nothing queued and no throttling: `throttledUntil - now` is negative, so the
 * timer fires after 1 ms, checks, and re-arms, for as long as the connection lives. Measured on
 * one idle queue: ~800 checks a second; over the 15 services' broker connections that was most
 * of the idle stack's Node CPU. This keeps kafkajs's behaviour when requests are queued or the
 * broker throttles, and arms nothing otherwise: a request queued later arms its own check
 * (`push`), and an answered one checks the queue at once (`fulfillRequest`).
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
}
