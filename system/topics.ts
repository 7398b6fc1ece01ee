/** The system's Kafka topics as a deploy creates them (system/bootstrap.ts, the platforms' `up`). */
import { TOPICS } from './contracts.ts';
import { KafkaConnection, type TopicSpec } from './lib/kafka.ts';

const SEVEN_DAYS_MS = String(7 * 24 * 3600 * 1000);

/** The topics of contracts.ts with RF 3 and min.insync.replicas 2 (DLQ retained 7 days). */
export function topicSpecs(replicationFactor = 3): TopicSpec[] {
  const minIsr = String(Math.min(2, replicationFactor));
  return Object.values(TOPICS).map((t) => ({
    name: t.name,
    partitions: t.partitions,
    replicationFactor,
    config: {
      'min.insync.replicas': minIsr,
      ...(t.name === TOPICS.reservationCommandsDlq.name ? { 'retention.ms': SEVEN_DAYS_MS } : {}),
    },
  }));
}

/** Creates the missing topics; returns the names created. `replicationFactor` only for tiny test clusters. */
export async function createTopics(
  brokers: string[],
  opts: { replicationFactor?: number } = {},
): Promise<string[]> {
  const admin = new KafkaConnection({ brokers, clientId: 'windshear-bootstrap' }).admin();
  try {
    return await admin.createTopics(topicSpecs(opts.replicationFactor ?? 3));
  } finally {
    await admin.disconnect();
  }
}
