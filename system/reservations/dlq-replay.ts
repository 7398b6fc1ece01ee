import { TOPICS } from '../contracts.ts';
import type { BatchingProducer, KafkaAdmin, KafkaConnection } from '../lib/kafka.ts';
import { sleep } from '../lib/retry.ts';

export const DLQ_REPLAY_GROUP = 'reservations-dlq-replayer';

/**
 * Re-drives dead letters: reads `reservations.commands.dlq` from the replayer group's committed
 * position up to the log end captured at the start, produces each record back to
 * `reservations.commands` (original key and value), commits, and stops. Bounded by `timeoutMs`.
 * A record that is still poison simply returns to the DLQ.
 */
export async function replayDlq(
  kafka: KafkaConnection,
  admin: KafkaAdmin,
  producer: BatchingProducer,
  timeoutMs = 20_000,
): Promise<{ replayed: number; complete: boolean }> {
  const dlq = TOPICS.reservationCommandsDlq.name;
  const target = TOPICS.reservationCommands;
  const end = await admin.highWatermarks(dlq);
  const caughtUp = async () => {
    const committed = await admin.committed(DLQ_REPLAY_GROUP, dlq);
    return [...end].every(([p, high]) => high === 0n || (committed.get(p) ?? -1n) >= high);
  };
  if (await caughtUp()) return { replayed: 0, complete: true };

  const consumer = kafka.consumer(DLQ_REPLAY_GROUP);
  let replayed = 0;
  try {
    await consumer.run({
      topics: [dlq],
      fromBeginning: true,
      eachBatch: async (batch) => {
        const stopAt = end.get(batch.partition) ?? 0n;
        const todo = batch.messages.filter((m) => BigInt(m.offset) < stopAt);
        await Promise.all(
          todo.map((m) => {
            const { 'dlq-reason': _r, 'dlq-source': _s, 'dlq-at': _a, ...headers } = m.headers;
            return producer.send(target.name, target.partitions, {
              key: m.key ?? '',
              value: m.value ?? '',
              headers: { ...headers, 'dlq-replayed-at': new Date().toISOString() },
            });
          }),
        );
        replayed += todo.length;
        const last = todo[todo.length - 1];
        if (last) await consumer.commit(batch.topic, batch.partition, (BigInt(last.offset) + 1n).toString());
      },
    });
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await caughtUp()) return { replayed, complete: true };
      await sleep(250);
    }
    return { replayed, complete: false };
  } finally {
    await consumer.disconnect();
  }
}
