import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Observed, OpensearchHealth } from '../../lib/observe/stack-observer.ts';
import { buildTopology, componentsOf } from '../../system/topology.ts';
import { opensearchProbe, opensearchResult } from './opensearch-probe.ts';

const health = (
  status: OpensearchHealth['status'],
  nodes: number,
  unassignedShards = 0,
): Observed<OpensearchHealth> => ({
  ok: true,
  data: { status, nodes, unassignedShards, activeShardsPercent: unassignedShards === 0 ? 100 : 50 },
});
const silent = (error: string): Observed<OpensearchHealth> => ({ ok: false, data: null, error });

describe('opensearchResult', () => {
  it('takes the health the first answering node reports, and lists who answered', () => {
    const r = opensearchResult([
      { name: 'opensearch-a', health: silent('The operation was aborted due to timeout') },
      { name: 'opensearch-b', health: health('yellow', 2, 1) },
      { name: 'opensearch-c', health: health('green', 3) },
    ]);
    expect(r).toEqual({
      ok: true,
      data: {
        status: 'yellow',
        nodes: 2,
        unassignedShards: 1,
        activeShardsPercent: 50,
        from: 'opensearch-b',
        answered: ['opensearch-b', 'opensearch-c'],
        silent: ['opensearch-a'],
      },
      requests: 3,
    });
  });

  it('is ok=false with every node and its error when none answered', () => {
    const r = opensearchResult([
      { name: 'opensearch-a', health: silent('timeout') },
      { name: 'opensearch-b', health: silent('HTTP 503') },
    ]);
    expect(r.ok).toBe(false);
    expect(r.data).toEqual({
      status: null,
      nodes: null,
      unassignedShards: null,
      activeShardsPercent: null,
      from: null,
      answered: [],
      silent: ['opensearch-a', 'opensearch-b'],
    });
    expect(r.error).toBe('no OpenSearch node answered (opensearch-a: timeout; opensearch-b: HTTP 503)');
    expect(r.requests).toBe(2);
  });

  it('is ok=false when the topology has no OpenSearch node', () => {
    expect(opensearchResult([])).toMatchObject({ ok: false, error: 'the topology has no OpenSearch node' });
  });
});

describe('opensearchProbe', () => {
  // Two local HTTP servers stand in for nodes: one answers `_cluster/health`, one never answers.
  let servers: Server[] = [];
  const listen = async (handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<number> => {
    const s = createServer(handler);
    servers.push(s);
    await new Promise<void>((done) => s.listen(0, '127.0.0.1', done));
    return (s.address() as AddressInfo).port;
  };
  afterEach(async () => {
    for (const s of servers) s.closeAllConnections();
    await Promise.all(servers.map((s) => new Promise((done) => s.close(done))));
    servers = [];
  });

  it('a node that does not answer costs the sample its timeout, not more', async () => {
    const stalled = await listen(() => {});
    const answering = await listen((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          status: 'yellow',
          number_of_nodes: 2,
          unassigned_shards: 1,
          active_shards_percent_as_number: 50,
        }),
      );
    });
    const t = buildTopology({ profile: 'ci', network: 'netns' });
    const [a, b, c] = componentsOf(t, 'opensearch');
    const at = (spec: typeof a, port: number) => ({
      ...spec!,
      host: '127.0.0.1',
      ports: { ...spec!.ports, http: port },
    });
    const topology = {
      ...t,
      components: [at(a, stalled), at(b, answering), at(c, stalled)],
    };
    const p = opensearchProbe(topology);
    expect({ name: p.name, intervalMs: p.intervalMs }).toEqual({ name: 'opensearch', intervalMs: 1000 });
    const started = performance.now();
    const r = await p.sample();
    const tookMs = performance.now() - started;
    await p.close?.();
    expect(r.ok).toBe(true);
    expect(r.data).toMatchObject({
      status: 'yellow',
      nodes: 2,
      from: 'opensearch-b',
      silent: ['opensearch-a', 'opensearch-c'],
    });
    // The two silent nodes are asked at once, each for at most 800 ms.
    expect(tookMs).toBeGreaterThanOrEqual(700);
    expect(tookMs).toBeLessThan(1600);
  });
});
