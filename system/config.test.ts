import { describe, expect, it } from 'vitest';
import { parseConfig } from './config.ts';

const base = {
  WS_SERVICE: 'search-api',
  KAFKA_BROKERS: 'a:9092, b:9092,c:9092',
  REDIS_SENTINELS: 'a:26379,b:26379',
  PG_HOSTS: 'a:5432,b:5432',
  OPENSEARCH_URL: 'http://a:9201',
};

describe('parseConfig', () => {
  it('splits host lists and applies defaults', () => {
    const c = parseConfig(base);
    expect(c.KAFKA_BROKERS).toEqual(['a:9092', 'b:9092', 'c:9092']);
    expect(c.API_KEYS).toEqual(['ws-local-key']);
    expect(c.REDIS_MASTER).toBe('ws-primary');
    expect(c.PG_DATABASE).toBe('flights');
    expect(c.PAYMENT_FAILURE_RATE).toBe(0);
  });

  it('names every bad variable', () => {
    expect(() => parseConfig({ ...base, WS_SERVICE: 'nope', PAYMENT_FAILURE_RATE: '2' })).toThrow(
      /WS_SERVICE.*PAYMENT_FAILURE_RATE/,
    );
  });
});
