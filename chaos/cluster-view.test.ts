import { describe, expect, it } from 'vitest';
import { buildTopology, type Topology } from '../system/topology.ts';
import { observeCluster } from './cluster-view.ts';

/** The loopback topology with every port moved to 1, where nothing listens. */
function deadTopology(): Topology {
  const t = buildTopology({ profile: 'ci', network: 'loopback', services: false });
  return {
    ...t,
    components: t.components.map((c) => ({
      ...c,
      ports: Object.fromEntries(Object.keys(c.ports).map((k) => [k, 1])),
    })),
  };
}

describe('observeCluster', () => {
  it('never throws: what does not answer is null or unknown, within the timeouts', async () => {
    const started = Date.now();
    const view = await observeCluster(deadTopology(), { timeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(view.kafka).toBeNull();
    // A part that does not settle in time is null as a whole (settle); one that does names no primary.
    if (view.redis !== null) {
      expect(view.redis.primary).toBeNull();
      expect(view.redis.sentinels.map((s) => s.primary)).toEqual([null, null, null]);
    }
    if (view.postgres !== null) {
      expect(view.postgres.primary).toBeNull();
      expect(view.postgres.nodes.every((n) => n.inRecovery === null)).toBe(true);
    }
    expect(Object.values(view.processes).every((p) => p.state === 'down')).toBe(true);
  });
  it('takes process states from the platform when given', async () => {
    const view = await observeCluster(deadTopology(), {
      timeoutMs: 200,
      status: async () => [
        {
          name: 'kafka-1',
          kind: 'kafka',
          az: 'az-a',
          address: '127.0.1.1',
          pid: 77,
          role: null,
          health: 'paused',
        },
      ],
    });
    expect(view.processes).toEqual({ 'kafka-1': { state: 'paused', pid: 77 } });
  });
});
