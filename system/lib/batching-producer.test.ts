import type { Producer, RecordMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { BatchingProducer } from './kafka.ts';

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

describe('BatchingProducer', () => {
  it('replaces a producer that keeps failing (a wedged idempotent producer) and acks again', async () => {
    const made: (Producer & { sent: number })[] = [];
    const bp = new BatchingProducer(() => {
      const p = fakeProducer(made.length === 0 ? Number.POSITIVE_INFINITY : 0);
      made.push(p);
      return p;
    });
    await bp.connect();
    for (let i = 0; i < 3; i++) {
      await expect(bp.send('t', 24, { key: `k${i}`, value: 'v' })).rejects.toThrow(/out of order/);
    }
    await new Promise((r) => setTimeout(r, 10));
    expect(made).toHaveLength(2);
    const ack = await bp.send('t', 24, { key: 'k', value: 'v' });
    expect(ack.offset).toBe('41');
    expect(made[1]!.sent).toBe(1);
  });

  it('keeps a producer whose failures are not consecutive', async () => {
    let made = 0;
    const bp = new BatchingProducer(() => {
      made++;
      return fakeProducer(2);
    });
    await bp.connect();
    await expect(bp.send('t', 24, { key: 'a', value: 'v' })).rejects.toThrow();
    await expect(bp.send('t', 24, { key: 'b', value: 'v' })).rejects.toThrow();
    await bp.send('t', 24, { key: 'c', value: 'v' });
    expect(made).toBe(1);
  });
});
