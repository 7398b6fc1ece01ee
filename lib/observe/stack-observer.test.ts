import { describe, expect, it } from 'vitest';
import { buildTopology } from '../../system/topology.ts';
import { parseClusterHealth, parseHaproxyCsv, serversNotUp, TopicsSeen } from './stack-observer.ts';

describe('parseHaproxyCsv', () => {
  it('keeps servers with their AZ and health status, drops FRONTEND/BACKEND rows', () => {
    const t = buildTopology({ profile: 'ci', network: 'netns' });
    const csv = [
      '# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status',
      'edge,FRONTEND,,,0,1,8000,3,0,0,0,0,0,,,,,OPEN',
      'search-api,search-api-a1,0,0,0,1,,2,0,0,,0,,0,0,0,0,UP',
      'search-api,search-api-b1,0,0,0,1,,2,0,0,,0,,0,0,0,0,DOWN 1/2',
      'search-api,search-api-c1,0,0,0,1,,2,0,0,,0,,0,0,0,0,MAINT',
      'search-api,BACKEND,0,0,0,1,,2,0,0,,0,,0,0,0,0,UP',
    ].join('\n');
    expect(parseHaproxyCsv(csv, t)).toEqual([
      { backend: 'search-api', server: 'search-api-a1', az: 'az-a', status: 'UP' },
      { backend: 'search-api', server: 'search-api-b1', az: 'az-b', status: 'DOWN' },
      { backend: 'search-api', server: 'search-api-c1', az: 'az-c', status: 'MAINT' },
    ]);
  });
});

describe('parseClusterHealth', () => {
  it('reads status, nodes, unassigned shards and active shards percent', () => {
    const body = {
      cluster_name: 'ws',
      status: 'yellow',
      number_of_nodes: 2,
      number_of_data_nodes: 2,
      active_shards: 1,
      unassigned_shards: 1,
      active_shards_percent_as_number: 50,
    };
    expect(parseClusterHealth(body)).toEqual({
      ok: true,
      data: { status: 'yellow', nodes: 2, unassignedShards: 1, activeShardsPercent: 50 },
    });
  });

  it('is an error for anything else: an error body, an unknown status, a missing count', () => {
    const error = { error: { type: 'master_not_discovered_exception' }, status: 503 };
    expect(parseClusterHealth(error)).toMatchObject({
      ok: false,
      data: null,
      error: expect.stringContaining('not a cluster health answer'),
    });
    const full = {
      status: 'green',
      number_of_nodes: 3,
      unassigned_shards: 0,
      active_shards_percent_as_number: 100,
    };
    expect(parseClusterHealth(full).ok).toBe(true);
    expect(parseClusterHealth({ ...full, status: 'blue' }).ok).toBe(false);
    expect(parseClusterHealth({ ...full, unassigned_shards: undefined }).ok).toBe(false);
    expect(parseClusterHealth(null).ok).toBe(false);
  });
});

describe('TopicsSeen', () => {
  it('lists topics again only while a wanted one is missing, at most every retryMs', async () => {
    let now = 0;
    let lists = 0;
    let topics = ['a'];
    const seen = new TopicsSeen(5_000, () => now);
    const list = async () => {
      lists++;
      return topics;
    };
    expect([...(await seen.existing(['a'], list))]).toEqual(['a']);
    expect([...(await seen.existing(['a'], list))]).toEqual(['a']);
    expect(lists).toBe(1);
    // b is missing: asked again only after retryMs
    topics = ['a', 'b'];
    now = 1_000;
    expect((await seen.existing(['a', 'b'], list)).has('b')).toBe(false);
    expect(lists).toBe(1);
    now = 5_000;
    expect((await seen.existing(['a', 'b'], list)).has('b')).toBe(true);
    expect(lists).toBe(2);
    now = 60_000;
    await seen.existing(['a', 'b'], list);
    expect(lists).toBe(2);
  });
});

const server = (name: string, status: 'UP' | 'DOWN' | 'MAINT' | 'NOLB') => ({ server: name, status });

describe('serversNotUp', () => {
  it('is ready (null) when every server HAProxy lists is UP', () => {
    expect(serversNotUp([server('search-api-a1', 'UP'), server('booking-b1', 'UP')])).toBeNull();
  });

  it('names every server not UP with its status, in the order HAProxy lists them', () => {
    expect(
      serversNotUp([
        server('search-api-a1', 'UP'),
        server('search-api-b1', 'DOWN'),
        server('search-api-c1', 'MAINT'),
        server('booking-a1', 'NOLB'),
      ]),
    ).toBe('search-api-b1 DOWN, search-api-c1 MAINT, booking-a1 NOLB');
  });

  it('is not ready when HAProxy lists no servers at all', () => {
    expect(serversNotUp([])).toBe('no servers');
  });
});
