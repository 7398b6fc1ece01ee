import { describe, expect, it } from 'vitest';
import { instanceCounters, parsePromText, sumInstances } from './prom-text.ts';

const A = `# HELP ws_cache_hits_total Cache hits
# TYPE ws_cache_hits_total counter
ws_cache_hits_total{cache="price",service="search-api",instance="search-api-a1"} 120
ws_cache_misses_total{cache="price",service="search-api",instance="search-api-a1"} 30
ws_breaker_state{name="redis",service="search-api"} 0
ws_breaker_state{name="opensearch",service="search-api"} 1
ws_degraded_responses_total{reason="index"} 4
ws_degraded_responses_total{reason="cache"} 1
`;
const B = `ws_cache_hits_total{cache="price"} 80
ws_cache_misses_total{cache="price"} 20
ws_breaker_state{name="redis"} 2
ws_breaker_state{name="opensearch"} 0
`;

describe('service metrics from /metrics text', () => {
  it('parses names, labels and values, skipping comments', () => {
    const s = parsePromText(A);
    expect(s).toHaveLength(6);
    expect(s[0]).toEqual({
      name: 'ws_cache_hits_total',
      labels: { cache: 'price', service: 'search-api', instance: 'search-api-a1' },
      value: 120,
    });
  });

  it('sums counters over instances and reports each breaker in its worst state', () => {
    const sum = sumInstances([instanceCounters(parsePromText(A)), instanceCounters(parsePromText(B))]);
    expect(sum).toEqual({
      cacheHits: 200,
      cacheMisses: 50,
      degradedResponses: 5,
      breakers: [
        { name: 'opensearch', state: 'open' },
        { name: 'redis', state: 'half-open' },
      ],
    });
  });
});
