import fs from 'node:fs';
import { describe, expect, inject, it } from 'vitest';
import { TOPICS } from '../system/contracts.ts';
import { componentsOf, type Topology } from '../system/topology.ts';
import { observeCluster } from './cluster-view.ts';
import { platformFor } from './platforms/platform-for.ts';
import { isRefusal } from './refusal.ts';
import { parseSelector, resolve } from './select.ts';

const local = await platformFor('local');

/**
 * Assumes the integration global setup brought the stack up and either provided it
 * (`provide('stack', { topology })` or `provide('stack', topology)`) or left the local platform's
 * state file, whose topology `platformFor('local')`'s `current()` returns; WINDSHEAR_TOPOLOGY_FILE (a JSON
 * Topology) is the last resort.
 */
function stackTopology(): Topology {
  const provided = (inject as unknown as (key: string) => unknown)('stack');
  const candidate =
    typeof provided === 'object' && provided !== null && 'topology' in provided
      ? (provided as { topology: unknown }).topology
      : provided;
  if (typeof candidate === 'object' && candidate !== null && 'components' in candidate)
    return candidate as Topology;
  const fromState = local.current();
  if (fromState) return fromState;
  const file = process.env.WINDSHEAR_TOPOLOGY_FILE;
  if (file) return JSON.parse(fs.readFileSync(file, 'utf8')) as Topology;
  throw new Error(
    "no stack: test/global-setup.ts must provide('stack', { topology }) or set WINDSHEAR_TOPOLOGY_FILE",
  );
}

describe('observeCluster on the real stack', () => {
  it('sees the KRaft controller, leaders with ISR, the Redis primary and the PostgreSQL primary', async () => {
    const topology = stackTopology();
    const view = await observeCluster(topology, { timeoutMs: 3000, status: () => local.status() });
    const nodeIds = componentsOf(topology, 'kafka').map((c) => c.nodeId);

    expect(view.kafka).not.toBeNull();
    expect(nodeIds).toContain(view.kafka?.controller);
    expect(view.kafka?.brokers).toEqual([...nodeIds].sort());
    const raw = view.kafka?.partitions.filter((p) => p.topic === TOPICS.supplierRaw.name) ?? [];
    expect(raw).toHaveLength(TOPICS.supplierRaw.partitions);
    for (const p of raw) {
      expect(nodeIds).toContain(p.leader);
      expect(p.isr.length).toBeGreaterThanOrEqual(2);
    }

    expect(componentsOf(topology, 'redis').map((c) => c.name)).toContain(view.redis?.primaryName);
    expect(view.redis?.sentinels.every((s) => s.primary === view.redis?.primary)).toBe(true);

    expect(componentsOf(topology, 'postgres').map((c) => c.name)).toContain(view.postgres?.primary);
    expect(view.postgres?.nodes.filter((n) => n.inRecovery === true)).toHaveLength(
      componentsOf(topology, 'postgres').length - 1,
    );

    for (const c of topology.components) expect(view.processes[c.name]?.state, c.name).toBe('up');
  });

  it('resolves role selectors against what it saw', async () => {
    const topology = stackTopology();
    const view = await observeCluster(topology, { timeoutMs: 3000 });
    for (const text of [
      'kafka:controller-leader',
      'kafka:most-leaders(topic=supplier.raw)',
      'redis:primary',
      'postgres:primary',
    ]) {
      const parsed = parseSelector(text);
      if (!parsed.ok) throw new Error(parsed.message);
      const r = resolve(parsed.selector, view, topology);
      expect(isRefusal(r), text).toBe(false);
      expect(Array.isArray(r) && r.length, text).toBe(1);
    }
  });
});
