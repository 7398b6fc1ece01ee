import { describe, expect, it } from 'vitest';
import { azAddress, buildTopology, componentsOf, kafkaBootstrap, profileTopology } from './topology.ts';

describe('buildTopology', () => {
  it('places one broker, one Redis and one Sentinel per AZ, primaries in az-a, the monitor in az-c', () => {
    const t = buildTopology({ profile: 'ci', network: 'netns' });
    for (const kind of ['kafka', 'redis', 'sentinel'] as const) {
      expect(componentsOf(t, kind).map((c) => c.az)).toEqual(['az-a', 'az-b', 'az-c']);
    }
    expect(componentsOf(t, 'redis').find((r) => r.initialRole === 'primary')?.az).toBe('az-a');
    const pg = componentsOf(t, 'postgres');
    expect(pg.map((p) => [p.az, p.initialRole])).toEqual([
      ['az-a', 'primary'],
      ['az-b', 'replica'],
    ]);
    expect(componentsOf(t, 'pg-monitor')[0]?.az).toBe('az-c');
    expect(kafkaBootstrap(t)).toEqual(['10.77.0.11:9092', '10.77.0.12:9092', '10.77.0.13:9092']);
  });

  it('never binds two components to the same address and port', () => {
    for (const profile of ['ci', 'full'] as const) {
      for (const network of ['netns', 'loopback'] as const) {
        const t = buildTopology({ profile, network });
        const binds = t.components.flatMap((c) => Object.values(c.ports).map((p) => `${c.host}:${p}`));
        expect(new Set(binds).size, `${profile}/${network}`).toBe(binds.length);
      }
    }
  });

  it('uses namespaces and a bridge as root, loopback addresses per AZ otherwise', () => {
    const ns = buildTopology({ profile: 'ci', network: 'netns' });
    expect(ns.azs.map((a) => a.namespace)).toEqual(['ws-az-a', 'ws-az-b', 'ws-az-c']);
    expect(ns.bridge?.address).toBe('10.77.0.1');
    const lo = buildTopology({ profile: 'ci', network: 'loopback' });
    expect(lo.bridge).toBeNull();
    expect(lo.azs.map((a) => a.address)).toEqual(['127.0.1.1', '127.0.2.1', '127.0.3.1']);
    expect(azAddress('az-b', 'netns', '10.88.1')).toBe('10.88.1.12');
  });

  it('full runs two API replicas per AZ; infrastructure only has no services', () => {
    const full = buildTopology({ profile: 'full', network: 'netns' });
    expect(full.components.filter((c) => c.service === 'search-api')).toHaveLength(6);
    const infra = buildTopology({ profile: 'ci', network: 'netns', services: false });
    expect(componentsOf(infra, 'service')).toEqual([]);
  });

  it('profileTopology names the same components whatever the network mode', () => {
    for (const profile of ['ci', 'full'] as const) {
      const names = (t: { components: { name: string }[] }) => t.components.map((c) => c.name);
      expect(names(profileTopology(profile))).toEqual(names(buildTopology({ profile, network: 'netns' })));
    }
    expect(profileTopology('ci').components.some((c) => c.name === 'search-api-a2')).toBe(false);
    expect(profileTopology('full').components.some((c) => c.name === 'search-api-a2')).toBe(true);
  });
});
