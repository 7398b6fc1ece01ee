import { REDIS_MASTER_NAME } from '../../../../system/contracts.ts';
import type { ComponentSpec } from '../../../../system/topology.ts';

export interface RedisSafety {
  /**
   * `min-replicas-to-write`: a primary cut off from every replica refuses writes instead of
   * accepting ones a failover will discard. 0 is the unsafe negative control.
   */
  minReplicasToWrite: number;
}

export const SAFE_REDIS: RedisSafety = { minReplicasToWrite: 1 };

/** redis.conf for one server; replicas follow `primary`. */
export function redisConf(
  node: ComponentSpec,
  primary: ComponentSpec,
  dir: string,
  safety: RedisSafety = SAFE_REDIS,
): string {
  const lines = [
    `bind ${node.host}`,
    `bind-source-addr ${node.host}`,
    `port ${node.ports.client}`,
    'protected-mode no',
    'daemonize no',
    `dir ${dir}`,
    `replica-announce-ip ${node.host}`,
    `replica-announce-port ${node.ports.client}`,
    'save ""',
    'appendonly no',
    'maxmemory 256mb',
    'maxmemory-policy allkeys-lfu',
    `min-replicas-to-write ${safety.minReplicasToWrite}`,
    'min-replicas-max-lag 10',
    'repl-diskless-sync yes',
    'repl-diskless-sync-delay 0',
    'replica-read-only yes',
    'tcp-keepalive 10',
  ];
  if (node.name !== primary.name) lines.push(`replicaof ${primary.host} ${primary.ports.client}`);
  return `${lines.join('\n')}\n`;
}

/**
 * sentinel.conf for one Sentinel. Promotion takes about down-after + 1–1.5 s; 8500 ms gives
 * seed 000's "about 10 s". Sentinel rewrites this file, so it is generated anew each `up`.
 */
export function sentinelConf(
  node: ComponentSpec,
  primary: ComponentSpec,
  dir: string,
  downAfterMs = 8500,
): string {
  return `${[
    `bind ${node.host}`,
    `port ${node.ports.client}`,
    'protected-mode no',
    'daemonize no',
    `dir ${dir}`,
    `sentinel announce-ip ${node.host}`,
    `sentinel announce-port ${node.ports.client}`,
    `sentinel monitor ${REDIS_MASTER_NAME} ${primary.host} ${primary.ports.client} 2`,
    `sentinel down-after-milliseconds ${REDIS_MASTER_NAME} ${downAfterMs}`,
    `sentinel failover-timeout ${REDIS_MASTER_NAME} 30000`,
    `sentinel parallel-syncs ${REDIS_MASTER_NAME} 1`,
    'sentinel resolve-hostnames no',
  ].join('\n')}\n`;
}
