import { type Observed, type OpensearchHealth, StackObserver } from '../../lib/observe/stack-observer.ts';
import type { OpensearchSample } from '../../lib/run-format.ts';
import { componentsOf, type Topology } from '../../system/topology.ts';
import type { Probe, ProbeResult } from './sampler.ts';

/** One node's answer to `_cluster/health`, by component name. */
export interface NodeAnswer {
  name: string;
  health: Observed<OpensearchHealth>;
}

/**
 * The sample of one tick from every node's answer (in topology order): the cluster's health as
 * the first node that answered reports it, and which nodes answered; ok=false when none did.
 */
export function opensearchResult(answers: readonly NodeAnswer[]): ProbeResult {
  const answered = answers.flatMap((a) => (a.health.ok ? [{ name: a.name, health: a.health.data }] : []));
  const silent = answers.flatMap((a) => (a.health.ok ? [] : [{ name: a.name, error: a.health.error }]));
  const first = answered[0];
  const data: OpensearchSample = {
    status: first?.health.status ?? null,
    nodes: first?.health.nodes ?? null,
    unassignedShards: first?.health.unassignedShards ?? null,
    activeShardsPercent: first?.health.activeShardsPercent ?? null,
    from: first?.name ?? null,
    answered: answered.map((a) => a.name),
    silent: silent.map((a) => a.name),
  };
  if (first !== undefined) return { ok: true, data, requests: answers.length };
  const error =
    answers.length === 0
      ? 'the topology has no OpenSearch node'
      : `no OpenSearch node answered (${silent.map((s) => `${s.name}: ${s.error}`).join('; ')})`;
  return { ok: false, data, error, requests: answers.length };
}

/**
 * Cluster health (status, nodes, unassigned shards) from every OpenSearch node at once, each
 * within `timeoutMs`, so a node that does not answer costs the sample at most that long.
 */
export function opensearchProbe(
  topology: Topology,
  opts: { intervalMs?: number; timeoutMs?: number } = {},
): Probe {
  const observer = new StackObserver(topology, opts.timeoutMs ?? 800);
  const nodes = componentsOf(topology, 'opensearch');
  return {
    name: 'opensearch',
    intervalMs: opts.intervalMs ?? 1000,
    sample: async (): Promise<ProbeResult> =>
      opensearchResult(
        await Promise.all(nodes.map(async (c) => ({ name: c.name, health: await observer.opensearch(c) }))),
      ),
    close: () => observer.close(),
  };
}
