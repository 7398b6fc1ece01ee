import type { ComponentSpec, Topology } from '../../../../system/topology.ts';
import { componentsOf } from '../../../../system/topology.ts';

export interface KafkaSafety {
  /** false only for the negative control: lets an out-of-sync replica become leader. */
  uncleanLeaderElection: boolean;
  minInsyncReplicas: number;
}

export const SAFE_KAFKA: KafkaSafety = { uncleanLeaderElection: false, minInsyncReplicas: 2 };

/** server.properties of one combined broker+controller (KRaft), sized for a 2-core machine. */
export function kafkaServerProperties(
  topology: Topology,
  node: ComponentSpec,
  logDir: string,
  safety: KafkaSafety = SAFE_KAFKA,
): string {
  const voters = componentsOf(topology, 'kafka')
    .map((k) => `${k.nodeId}@${k.host}:${k.ports.controller}`)
    .join(',');
  const props: Record<string, string | number | boolean> = {
    'process.roles': 'broker,controller',
    'node.id': node.nodeId ?? 0,
    'controller.quorum.voters': voters,
    listeners: `PLAINTEXT://${node.host}:${node.ports.client},CONTROLLER://${node.host}:${node.ports.controller}`,
    'advertised.listeners': `PLAINTEXT://${node.host}:${node.ports.client}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'broker.rack': node.az,
    'log.dirs': logDir,
    'num.network.threads': 2,
    'num.io.threads': 2,
    'background.threads': 2,
    'num.replica.fetchers': 1,
    'num.recovery.threads.per.data.dir': 1,
    'default.replication.factor': 3,
    'min.insync.replicas': safety.minInsyncReplicas,
    'unclean.leader.election.enable': safety.uncleanLeaderElection,
    'auto.create.topics.enable': false,
    'offsets.topic.num.partitions': 6,
    'offsets.topic.replication.factor': 3,
    'transaction.state.log.num.partitions': 6,
    'transaction.state.log.replication.factor': 3,
    'transaction.state.log.min.isr': 2,
    'group.initial.rebalance.delay.ms': 0,
    'log.retention.hours': 24,
    'log.segment.bytes': 64 * 1024 * 1024,
    // A silent broker is fenced after this; replicas drop out of the ISR after replica.lag.time.max.ms.
    // 6 s (4 missed heartbeats) keeps a killed leader's failover under seed 000's 10 s: with 9 s the
    // new leader came 12.2 s after the kill (broker-loss, ci profile).
    'broker.session.timeout.ms': 6000,
    'broker.heartbeat.interval.ms': 1500,
    'replica.lag.time.max.ms': 10000,
    'controller.quorum.election.timeout.ms': 1000,
    'controller.quorum.fetch.timeout.ms': 2000,
    // Leadership goes back to a returning broker (preferred replica) within 15 s of its catching up,
    // inside the recovery of the fault that took it away. With Kafka's 300 s the move landed in
    // whichever scenario ran minutes later: at 134 s into baseline-control (no fault) and 39 s into
    // holiday-surge in the 11:13 ci catalogue, with reservation writes taking 3-9 s.
    'leader.imbalance.check.interval.seconds': 15,
    // The active controller appends a no-op record to the metadata log this often when nothing
    // else changes (Kafka's default 500 ms): each one is written and flushed by the three
    // controllers and read by every broker, twice a second on an idle stack.
    'metadata.max.idle.interval.ms': 5000,
    // How long a leader holds a follower's fetch when it has nothing new (Kafka's default 500 ms).
    // New records answer it at once, so acks=all writes wait no longer; at rest each broker
    // answered its two followers' empty fetches four times a second. Below replica.lag.time.max.ms.
    'replica.fetch.wait.max.ms': 5000,
  };
  return `${Object.entries(props)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n')}\n`;
}

export const KAFKA_LOG4J2 = `status = warn
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.stdout.ref = STDOUT
logger.state.name = state.change.logger
logger.state.level = WARN
logger.request.name = kafka.request.logger
logger.request.level = WARN
`;

/**
 * Kafka's cluster id format: 16 random bytes, URL-safe base64 without padding. Never starting
 * with `-` (Kafka's own Uuid.randomUuid() draws again then): kafka-storage would read `-t -x...`
 * as a missing value (1 `up` in 64 failed so).
 */
export function kafkaClusterId(bytes: Uint8Array): string {
  const b = Uint8Array.from(bytes);
  if (b[0] !== undefined && b[0] >> 2 === 62) b[0] ^= 0x80;
  return Buffer.from(b).toString('base64url');
}
