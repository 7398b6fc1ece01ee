/** kafkajs 2.2.4's internal per-connection request queue (no published types). */
declare module 'kafkajs/src/network/requestQueue/index.js' {
  interface RequestQueueInternals {
    pending: unknown[];
    throttledUntil: number;
    throttleCheckTimeoutId: ReturnType<typeof setTimeout> | null;
    checkPendingRequests(): void;
    scheduleCheckPendingRequests(): void;
  }
  const RequestQueue: {
    new (opts: Record<string, unknown>): RequestQueueInternals;
    prototype: RequestQueueInternals;
  };
  export default RequestQueue;
}
