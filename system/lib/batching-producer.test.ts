import type { Producer, RecordMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { BatchingProducer, partitionFor } from './kafka.ts';

/** A stand-in kafkajs producer: fails its first `failures` sendBatch calls, then acks. */
function fakeProducer(failures: number): Producer & { sent: number } {
  let calls = 0;
  const p = {
    sent: 0,
    connect: async () => {},
    disconnect: async () => {},
    sendBatch: async ({
      topicMessages,
    }: {
      topicMessages: { topic: string; messages: { partition?: number }[] }[];
    }) => {
      if (calls++ < failures) throw new Error('The broker received an out of order sequence number');
      p.sent += topicMessages.reduce((n, t) => n + t.messages.length, 0);
      return topicMessages.map(
        (t): RecordMetadata => ({
          topicName: t.topic,
          partition: t.messages[0]?.partition ?? 0,
          errorCode: 0,
          baseOffset: '41',
        }),
      );
    },
  };
  return p as unknown as Producer & { sent: number };
}

/** A BatchingProducer over fake producers; `failuresOf(n)` says how many sends the n-th one fails. */
function batching(failuresOf: (n: number) => number, acks: -1 | 1 = -1) {
  const made: (Producer & { sent: number })[] = [];
  const bp = new BatchingProducer(
    () => {
      const p = fakeProducer(failuresOf(made.length));
      made.push(p);
      return p;
    },
    500,
    10_000,
    acks,
  );
  return { bp, made };
}

describe('BatchingProducer', () => {
  it('idempotent: a failed flush replaces the producer before anything else is sent', async () => {
    // kafkajs rolls sequences back on a failed request the broker may have written; the next
    // batch could be taken for its retry and acked at its offset (see chaos/faults.it.test.ts).
    const { bp, made } = batching((n) => (n === 0 ? 1 : 0));
    await bp.connect();
    await expect(bp.send('t', 24, { key: 'a', value: 'v' })).rejects.toThrow(/out of order/);
    const ack = await bp.send('t', 24, { key: 'b', value: 'v' });
    expect(made).toHaveLength(2);
    expect(made[0]!.sent).toBe(0);
    expect(made[1]!.sent).toBe(1);
    expect(ack.offset).toBe('41');
  });

  it('idempotent: a partition missing from the acknowledgement is rejected and the producer replaced', async () => {
    const { bp, made } = batching(() => 0);
    await bp.connect();
    // The fake acks only the first message's partition of each topic.
    const keys = ['a', 'b', 'c', 'd', 'e'].filter(
      (k, _, all) => partitionFor(k, 24) !== partitionFor(all[0]!, 24),
    );
    const results = await Promise.allSettled([
      bp.send('t', 24, { key: 'a', value: 'v' }),
      bp.send('t', 24, { key: keys[0]!, value: 'v' }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/no acknowledgement/);
    expect(made).toHaveLength(2);
  });

  it('acks=1: replaces a producer only after three failed flushes in a row', async () => {
    const { bp, made } = batching((n) => (n === 0 ? Number.POSITIVE_INFINITY : 0), 1);
    await bp.connect();
    for (let i = 0; i < 3; i++) {
      expect(made).toHaveLength(1);
      await expect(bp.send('t', 24, { key: `k${i}`, value: 'v' })).rejects.toThrow(/out of order/);
    }
    await new Promise((r) => setTimeout(r, 10));
    expect(made).toHaveLength(2);
    expect((await bp.send('t', 24, { key: 'k', value: 'v' })).offset).toBe('41');
  });

  it('acks=1: keeps a producer whose failures are not three in a row', async () => {
    const { bp, made } = batching(() => 2, 1);
    await bp.connect();
    await expect(bp.send('t', 24, { key: 'a', value: 'v' })).rejects.toThrow();
    await expect(bp.send('t', 24, { key: 'b', value: 'v' })).rejects.toThrow();
    await bp.send('t', 24, { key: 'c', value: 'v' });
    expect(made).toHaveLength(1);
  });
});
