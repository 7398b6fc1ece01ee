/** kafkajs 2.2.4's internal per-connection request queue (no published types). */
declare module 'kafkajs/src/network/requestQueue/index.js' {
  interface SocketRequestInternals {
    correlationId: number;
    expectResponse: boolean;
    sentAt: number | null;
    requestTimeout: number;
    timeoutRequest(): void;
  }
  interface RequestQueueInternals {
    pending: unknown[];
    inflight: Map<number, SocketRequestInternals>;
    requestTimeout: number;
    enforceRequestTimeout: boolean;
    requestTimeoutIntervalId: ReturnType<typeof setInterval> | undefined;
    throttledUntil: number;
    throttleCheckTimeoutId: ReturnType<typeof setTimeout> | null;
    isConnected(): boolean;
    push(pushed: {
      entry: { correlationId: number; apiName?: string; apiKey?: number; apiVersion?: number };
      expectResponse: boolean;
      sendRequest(): void;
      requestTimeout?: number;
    }): void;
    fulfillRequest(response: { correlationId: number; payload: unknown; size: number }): void;
    sendSocketRequest(request: SocketRequestInternals): void;
    checkPendingRequests(): void;
    scheduleCheckPendingRequests(): void;
    scheduleRequestTimeoutCheck(): void;
    destroy(): void;
  }
  const RequestQueue: {
    new (opts: Record<string, unknown>): RequestQueueInternals;
    prototype: RequestQueueInternals;
  };
  export default RequestQueue;
}
