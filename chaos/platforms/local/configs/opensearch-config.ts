import type { ComponentSpec } from '../../../../system/topology.ts';

/**
 * opensearch.yml placed in the runner's node directory before it starts, so the node binds
 * its AZ address. One node: `single-node` discovery (bootstrap checks off); several: a cluster
 * across AZs with one replica per shard, as seed 000 asks.
 */
export function opensearchYml(node: ComponentSpec, peers: ComponentSpec[]): string {
  const lines = [
    `network.host: ${node.host}`,
    `node.name: ${node.name}`,
    `node.attr.zone: ${node.az}`,
    'cluster.routing.allocation.awareness.attributes: zone',
    'action.auto_create_index: false',
  ];
  if (peers.length <= 1) {
    lines.push('discovery.type: single-node');
  } else {
    lines.push(
      `discovery.seed_hosts: [${peers.map((p) => `"${p.host}:${p.ports.transport}"`).join(', ')}]`,
      `cluster.initial_cluster_manager_nodes: [${peers.map((p) => `"${p.name}"`).join(', ')}]`,
    );
  }
  return `${lines.join('\n')}\n`;
}
