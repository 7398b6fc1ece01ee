import { describe, expect, it } from 'vitest';
import { buildTopology, profileTopology } from '../system/topology.ts';
import { parseSelector, type Selector } from './select.ts';
import { selectorInTopology } from './selector-in-topology.ts';

const ci = profileTopology('ci');
const full = profileTopology('full');

function sel(text: string): Selector {
  const r = parseSelector(text);
  if (!r.ok) throw new Error(r.message);
  return r.selector;
}
const codes = (text: string, t = ci) => selectorInTopology(sel(text), t).map((p) => p.code);

describe('selectorInTopology', () => {
  it('accepts every role and name the topology has', () => {
    for (const text of [
      'kafka:controller-leader',
      'kafka:partition-leader(topic=reservations.commands,partition=0)',
      'kafka:most-leaders(topic=supplier.raw)',
      'redis:primary',
      'redis:replicas',
      'postgres:primary',
      'postgres:standby',
      'service:stream(count=1)',
      'service:ingest(count=all)',
      'service:search-api(count=3)',
      'service:booking(az=az-b)',
      'az:az-a',
      'random(kind=kafka,count=3,seed=1)',
      'haproxy',
      'name:kafka-2',
      'name:search-api-a1',
    ])
      expect(codes(text), text).toEqual([]);
  });

  it('rejects a component the profile does not have, naming the profile and listing the valid names', () => {
    expect(codes('name:search-api-a2', full)).toEqual([]);
    const [p] = selectorInTopology(sel('name:search-api-a2'), ci);
    expect(p).toMatchObject({
      code: 'selector-outside-topology',
      offending: 'search-api-a2',
      message:
        "selector 'name:search-api-a2': there is no component named 'search-api-a2' in the ci topology",
    });
    expect(p?.fix).toContain('search-api-a1');
    expect(p?.candidates).toContain('kafka-1');
  });

  it('rejects more instances than the profile runs', () => {
    expect(codes('service:search-api(count=4)')).toEqual(['selector-count']);
    expect(codes('service:search-api(count=4)', full)).toEqual([]);
    expect(codes('service:search-api(az=az-b,count=2)')).toEqual(['selector-count']);
    expect(codes('random(kind=redis,count=4,seed=1)')).toEqual(['selector-count']);
  });

  it('rejects AZs, services and kinds a topology lacks', () => {
    const infra = buildTopology({ profile: 'ci', network: 'loopback', services: false });
    expect(codes('service:stream(count=1)', infra)).toEqual(['selector-outside-topology']);
    expect(codes('random(kind=service,seed=1)', infra)).toEqual(['selector-outside-topology']);
    const twoAzs = { ...ci, azs: ci.azs.slice(0, 2) };
    expect(codes('az:az-c', twoAzs)).toEqual(['selector-outside-topology']);
    expect(codes('service:stream(az=az-c)', twoAzs)).toEqual(['selector-outside-topology']);
    const onePg = { ...ci, components: ci.components.filter((c) => c.name !== 'pg-b') };
    expect(codes('postgres:standby', onePg)).toEqual(['selector-outside-topology']);
    expect(codes('postgres:primary', onePg)).toEqual([]);
  });

  it('refuses a PID: it is not known before the stack is up', () => {
    expect(codes('pid:4242')).toEqual(['selector-not-static']);
  });
});
