import type { ComponentSpec } from '../../../../system/topology.ts';

export const OPENSEARCH_CLUSTER = 'windshear';

/** Where a node keeps its files (under its component directory). */
export interface OpensearchPaths {
  data: string;
  logs: string;
}

/**
 * opensearch.yml of one node. WsOpenSearchNode.java puts every setting of this file into the
 * node's settings ahead of the codelibs runner's own defaults, so name, ports and paths are
 * these. One node: `single-node` discovery; several: one cluster across the AZs, every node
 * cluster-manager eligible and a data node, shard copies spread by zone (seed 000: one data node
 * per AZ, one replica per shard, green on AZ failure).
 */
export function opensearchYml(node: ComponentSpec, peers: ComponentSpec[], paths: OpensearchPaths): string {
  const list = (xs: string[]) => `[${xs.map((x) => `"${x}"`).join(', ')}]`;
  const lines = [
    `cluster.name: ${OPENSEARCH_CLUSTER}`,
    `node.name: ${node.name}`,
    'node.roles: [cluster_manager, data]',
    `node.attr.zone: ${node.az}`,
    `network.host: ${node.host}`,
    `http.port: ${node.ports.http}`,
    `transport.port: ${node.ports.transport}`,
    `path.data: ${paths.data}`,
    `path.logs: ${paths.logs}`,
    'action.auto_create_index: false',
    // Every node shares this machine's one disk: the watermarks would judge the host, not a node.
    'cluster.routing.allocation.disk.threshold_enabled: false',
  ];
  if (peers.length <= 1) {
    lines.push('discovery.type: single-node');
  } else {
    lines.push(
      `discovery.seed_hosts: ${list(peers.map((p) => `${p.host}:${p.ports.transport}`))}`,
      `cluster.initial_cluster_manager_nodes: ${list(peers.map((p) => p.name))}`,
      // Copies of a shard go to different zones; not forced, so after an AZ loss the missing
      // copies are rebuilt in the two zones left and the cluster is green again during the outage.
      'cluster.routing.allocation.awareness.attributes: zone',
      // An AZ outage cuts the link first: the survivors see silence, not resets. Defaults (10 s
      // timeout, 3 tries) keep a silent node in the cluster ~30 s, and searches and writes that
      // reach its shard copies wait that long; these remove it in ~6-9 s.
      'cluster.fault_detection.follower_check.interval: 1s',
      'cluster.fault_detection.follower_check.timeout: 2s',
      'cluster.fault_detection.follower_check.retry_count: 3',
      'cluster.fault_detection.leader_check.interval: 1s',
      'cluster.fault_detection.leader_check.timeout: 2s',
      'cluster.fault_detection.leader_check.retry_count: 3',
      // A newly elected cluster manager's first publication still lists the lost node, and the
      // node's removal waits for it: 30 s by default (measured: 32 s without a cluster manager
      // after losing az-c with the manager in it, searches to its copies hanging until then).
      'cluster.publish.timeout: 5s',
    );
  }
  return `${lines.join('\n')}\n`;
}
