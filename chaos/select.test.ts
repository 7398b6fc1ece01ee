import { describe, expect, it } from 'vitest';
import { buildTopology } from '../system/topology.ts';
import { fixtureView } from './fakes/fixture-view.ts';
import { isRefusal } from './refusal.ts';
import { formatSelector, mulberry32, parseSelector, pickSeeded, resolve, type Selector } from './select.ts';

const topology = buildTopology({ profile: 'ci', network: 'netns' });

function sel(text: string): Selector {
  const r = parseSelector(text);
  if (!r.ok) throw new Error(r.message);
  return r.selector;
}
function names(text: string, view = fixtureView(), seed?: number): string[] | string {
  const r = resolve(sel(text), view, topology, seed === undefined ? {} : { seed });
  return isRefusal(r) ? `refused:${r.code}` : r.map((t) => `${t.name}/${t.role ?? '-'}`);
}

describe('parseSelector', () => {
  it('parses every documented form', () => {
    expect(sel('kafka:controller-leader')).toEqual({ by: 'kafka-controller-leader' });
    expect(sel('kafka:partition-leader(topic=reservations.commands,partition=0)')).toEqual({
      by: 'kafka-partition-leader',
      topic: 'reservations.commands',
      partition: 0,
    });
    expect(sel('kafka:most-leaders(topic=supplier.raw)')).toEqual({
      by: 'kafka-most-leaders',
      topic: 'supplier.raw',
    });
    expect(sel('redis:primary')).toEqual({ by: 'redis-primary' });
    expect(sel('redis:replicas')).toEqual({ by: 'redis-replicas' });
    expect(sel('postgres:primary')).toEqual({ by: 'postgres-primary' });
    expect(sel('postgres:standby')).toEqual({ by: 'postgres-standby' });
    expect(sel('service:stream(count=1)')).toEqual({ by: 'service', service: 'stream', count: 1 });
    expect(sel('service:search-api(all)')).toEqual({ by: 'service', service: 'search-api', count: 'all' });
    expect(sel('service:ingest(count=all)')).toEqual({ by: 'service', service: 'ingest', count: 'all' });
    expect(sel('service:search-api(az=az-b)')).toEqual({
      by: 'service',
      service: 'search-api',
      count: 'all',
      az: 'az-b',
    });
    expect(sel('az:az-b')).toEqual({ by: 'az', az: 'az-b' });
    expect(sel('random(kind=kafka,seed=7)')).toEqual({ by: 'random', kind: 'kafka', count: 1, seed: 7 });
    expect(sel('haproxy')).toEqual({ by: 'haproxy' });
    expect(sel('name:kafka-2')).toEqual({ by: 'name', name: 'kafka-2' });
    expect(sel('pid:4242')).toEqual({ by: 'pid', pid: 4242 });
  });
  it('round-trips through formatSelector', () => {
    for (const text of [
      'kafka:partition-leader(topic=reservations.commands,partition=3)',
      'service:search-api(az=az-b)',
      'service:stream(count=2,seed=4)',
      'service:booking(all)',
      'random(kind=redis,count=2,seed=9)',
      'az:az-c',
    ]) {
      expect(sel(formatSelector(sel(text)))).toEqual(sel(text));
    }
  });
  it('rejects malformed text with a fix', () => {
    for (const bad of [
      'kafka',
      'kafka:leader',
      'kafka:partition-leader(topic=x)',
      'kafka:partition-leader(topic=x,partition=-1)',
      'redis:master',
      'service:nope',
      'service:stream(count=0)',
      'service:stream(all,count=2)',
      'random(kind=dragon,seed=1)',
      'random(color=red)',
      'haproxy(x=1)',
      'pid:abc',
      'Kafka:controller-leader',
      '',
    ]) {
      const r = parseSelector(bad);
      expect(r.ok, bad).toBe(false);
      if (!r.ok) {
        expect(r.message).toContain('selector');
        expect(r.fix, bad).toBeTruthy();
      }
    }
  });
});

describe('resolve', () => {
  it('finds Kafka roles from the view', () => {
    expect(names('kafka:controller-leader')).toEqual(['kafka-2/controller-leader']);
    expect(names('kafka:partition-leader(topic=reservations.commands,partition=0)')).toEqual([
      'kafka-1/partition-leader',
    ]);
    expect(names('kafka:most-leaders(topic=supplier.raw)')).toEqual(['kafka-3/partition-leader']);
  });
  it('breaks most-leaders ties by the lowest node id', () => {
    const view = fixtureView();
    view.kafka = {
      controller: 1,
      brokers: [1, 2, 3],
      partitions: [
        { topic: 't', partition: 0, leader: 3, isr: [3] },
        { topic: 't', partition: 1, leader: 2, isr: [2] },
      ],
    };
    expect(names('kafka:most-leaders', view)).toEqual(['kafka-2/partition-leader']);
  });
  it('refuses when the role is unknown right now', () => {
    expect(names('kafka:partition-leader(topic=reservations.commands,partition=1)')).toBe(
      'refused:selector-matched-nothing',
    );
    expect(names('kafka:partition-leader(topic=nope,partition=0)')).toBe('refused:selector-matched-nothing');
    expect(names('kafka:controller-leader', fixtureView({ kafka: null }))).toBe(
      'refused:selector-matched-nothing',
    );
    expect(names('redis:primary', fixtureView({ redis: null }))).toBe('refused:selector-matched-nothing');
    expect(names('postgres:primary', fixtureView({ postgres: null }))).toBe(
      'refused:selector-matched-nothing',
    );
  });
  it("uses Sentinel's primary, not the initial role", () => {
    expect(names('redis:primary')).toEqual(['redis-b/primary']);
    expect(names('redis:replicas')).toEqual(['redis-a/replica', 'redis-c/replica']);
  });
  it('finds the PostgreSQL primary and standby by recovery state', () => {
    expect(names('postgres:primary')).toEqual(['pg-a/primary']);
    expect(names('postgres:standby')).toEqual(['pg-b/replica']);
  });
  it('selects service instances: all, by AZ, or a seeded count', () => {
    expect(names('service:search-api(all)')).toEqual([
      'search-api-a1/backend',
      'search-api-b1/backend',
      'search-api-c1/backend',
    ]);
    expect(names('service:search-api(az=az-b)')).toEqual(['search-api-b1/backend']);
    const one = names('service:stream(count=1)');
    expect(Array.isArray(one) && one.length).toBe(1);
    expect(names('service:stream(count=1)')).toEqual(one);
  });
  it('skips instances the view says are down or paused', () => {
    const view = fixtureView({
      processes: { 'stream-a': { state: 'down', pid: null }, 'stream-b': { state: 'paused', pid: 7 } },
    });
    expect(names('service:stream(all)', view)).toEqual(['stream-c/backend']);
    const allDown = fixtureView({
      processes: Object.fromEntries(
        ['stream-a', 'stream-b', 'stream-c'].map((n) => [n, { state: 'down' as const, pid: null }]),
      ),
    });
    expect(names('service:stream(count=1)', allDown)).toBe('refused:selector-matched-nothing');
  });
  it('resolves an AZ to one AZ target and refuses an AZ that is not ours', () => {
    expect(resolve(sel('az:az-b'), fixtureView(), topology)).toEqual([
      { name: 'az-b', az: 'az-b', kind: 'az', role: 'az', ports: [] },
    ]);
    expect(names('az:az-z')).toBe('refused:target-outside-topology');
    expect(names('service:stream(az=az-q)')).toBe('refused:target-outside-topology');
  });
  it('random with a seed is reproducible and depends on the seed', () => {
    const picks = new Set<string>();
    for (let seed = 0; seed < 20; seed++) {
      const a = names(`random(kind=kafka,seed=${seed})`);
      expect(names(`random(kind=kafka,seed=${seed})`)).toEqual(a);
      expect(Array.isArray(a) && a.length).toBe(1);
      picks.add(String(a));
    }
    expect(picks.size).toBe(3); // every broker gets picked by some seed
    expect(names('random(kind=kafka,count=2,seed=7)')).toHaveLength(2);
  });
  it('random without a seed uses the run seed, or refuses', () => {
    expect(names('random(kind=redis)')).toBe('refused:selector-needs-seed');
    expect(names('random(kind=redis)', fixtureView(), 7)).toEqual(names('random(kind=redis,seed=7)'));
  });
  it('finds the edge, names and PIDs of this topology only', () => {
    const r = resolve(sel('haproxy'), fixtureView(), topology);
    expect(r).toEqual([
      { name: 'haproxy', az: 'edge', kind: 'haproxy', role: 'edge', ports: [18080, 18081] },
    ]);
    expect(names('name:kafka-2')).toEqual(['kafka-2/controller-leader']);
    expect(names('name:kafka-9')).toBe('refused:target-outside-topology');
    expect(names('pid:4242')).toEqual(['kafka-1/broker']);
    expect(names('pid:1')).toBe('refused:target-outside-topology');
  });
});

describe('seeded PRNG', () => {
  it('mulberry32 repeats per seed and stays in [0,1)', () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const xs = Array.from({ length: 100 }, () => a());
    expect(Array.from({ length: 100 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(mulberry32(8)()).not.toBe(xs[0]);
  });
  it('pickSeeded picks distinct members', () => {
    const p = pickSeeded(['a', 'b', 'c', 'd'], 3, 1);
    expect(new Set(p).size).toBe(3);
    expect(pickSeeded(['a'], 5, 1)).toEqual(['a']);
  });
});
