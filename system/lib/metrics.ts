import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { BREAKER_STATE_VALUE, type BreakerOptions, type BreakerState, CircuitBreaker } from './breaker.ts';

/** One registry per process; every service exposes it at /metrics. */
export interface Metrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  cacheHits: Counter<'cache'>;
  cacheMisses: Counter<'cache'>;
  breakerState: Gauge<'name'>;
  degraded: Counter<'reason'>;
  /** Offsets between the partition's high watermark and the message being processed. */
  consumerLag: Gauge<'group' | 'topic' | 'partition'>;
  /** Age in seconds of the last message processed, per partition. */
  consumerLagSeconds: Gauge<'group' | 'topic' | 'partition'>;
  messages: Counter<'topic' | 'outcome'>;
  rateLimited: Counter<'client'>;
  /** Search candidate sets by how they were served (fresh, stale, miss); not part of the price cache ratio. */
  candidates: Counter<'outcome'>;
  /** Search answers by source: `l1` (the 100 ms in-process copy) or `computed`. */
  searchAnswers: Counter<'source'>;
}

export function createMetrics(service: string, instance: string): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service, instance });
  // The event-loop delay histogram samples every 100 ms, not prom-client's default 10 ms: at 10 ms
  // its timer alone cost ~0.007 cores per idle process (0.41 vs 0.22 CPU-s in 30 s, a bare Node
  // process with and without it). Over 15 services that is ~0.1 cores by arithmetic; bench:idle
  // did not show it apart from its own noise.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 100 });
  const labelled = { registers: [registry] };
  return {
    registry,
    httpRequests: new Counter({
      name: 'ws_http_requests_total',
      help: 'HTTP requests served',
      labelNames: ['method', 'route', 'status'],
      ...labelled,
    }),
    httpDuration: new Histogram({
      name: 'ws_http_request_duration_seconds',
      help: 'HTTP request latency in seconds',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.04, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      ...labelled,
    }),
    cacheHits: new Counter({
      name: 'ws_cache_hits_total',
      help: 'Cache hits',
      labelNames: ['cache'],
      ...labelled,
    }),
    cacheMisses: new Counter({
      name: 'ws_cache_misses_total',
      help: 'Cache misses',
      labelNames: ['cache'],
      ...labelled,
    }),
    breakerState: new Gauge({
      name: 'ws_breaker_state',
      help: 'Circuit breaker state: 0 closed, 1 open, 2 half-open',
      labelNames: ['name'],
      ...labelled,
    }),
    degraded: new Counter({
      name: 'ws_degraded_responses_total',
      help: 'Responses served degraded (partial or cached), by reason',
      labelNames: ['reason'],
      ...labelled,
    }),
    consumerLag: new Gauge({
      name: 'ws_consumer_lag',
      help: 'Consumer lag in offsets as this consumer sees it',
      labelNames: ['group', 'topic', 'partition'],
      ...labelled,
    }),
    consumerLagSeconds: new Gauge({
      name: 'ws_consumer_lag_seconds',
      help: 'Age in seconds of the last message this consumer processed',
      labelNames: ['group', 'topic', 'partition'],
      ...labelled,
    }),
    messages: new Counter({
      name: 'ws_messages_total',
      help: 'Messages handled, by topic and outcome',
      labelNames: ['topic', 'outcome'],
      ...labelled,
    }),
    rateLimited: new Counter({
      name: 'ws_rate_limited_total',
      help: 'Requests refused by the rate limiter',
      labelNames: ['client'],
      ...labelled,
    }),
    candidates: new Counter({
      name: 'ws_search_candidates_total',
      help: 'Search candidate sets served, by outcome: fresh or stale from the in-process cache, or miss',
      labelNames: ['outcome'],
      ...labelled,
    }),
    searchAnswers: new Counter({
      name: 'ws_search_answers_total',
      help: 'Search answers by source: l1 (served again within 100 ms) or computed',
      labelNames: ['source'],
      ...labelled,
    }),
  };
}

export function breakerStateReporter(metrics: Metrics) {
  return (name: string, state: BreakerState) =>
    metrics.breakerState.set({ name }, BREAKER_STATE_VALUE[state]);
}

/** A seed-002 breaker whose state is exported as `ws_breaker_state{name}` and logged on change. */
export function reportedBreaker(
  metrics: Metrics,
  log: { warn: (obj: object, msg: string) => void },
  name: string,
  opts: Omit<BreakerOptions, 'name' | 'onStateChange'> = {},
): CircuitBreaker {
  const report = breakerStateReporter(metrics);
  report(name, 'closed');
  return new CircuitBreaker({
    ...opts,
    name,
    onStateChange: (n, state) => {
      log.warn({ breaker: n, state }, 'breaker state change');
      report(n, state);
    },
  });
}
