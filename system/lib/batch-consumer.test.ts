import { EventEmitter } from 'node:events';
import type { Consumer } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { BatchConsumer } from './kafka.ts';

/** A stand-in kafkajs consumer: records run() calls and lets the test emit CRASH events. */
function fakeConsumer() {
  const emitter = new EventEmitter();
  const c = {
    runs: 0,
    disconnected: false,
    events: { CRASH: 'consumer.crash', GROUP_JOIN: 'consumer.group_join' },
    on: (event: string, cb: (e: unknown) => void) => emitter.on(event, cb),
    connect: async () => {},
    stop: async () => {},
    subscribe: async () => {},
    run: async () => {
      c.runs++;
    },
    disconnect: async () => {
      c.disconnected = true;
    },
    crash: (restart: boolean) =>
      emitter.emit('consumer.crash', { payload: { error: new Error('old epoch'), restart } }),
  };
  return c;
}

/** A BatchConsumer whose kafkajs consumers are fakes, recorded in the order they were made. */
function consumerOverFakes() {
  const made: ReturnType<typeof fakeConsumer>[] = [];
  const bc = new BatchConsumer(() => {
    const c = fakeConsumer();
    made.push(c);
    return c as unknown as Consumer;
  }, 'g');
  return { made, bc };
}

describe('BatchConsumer', () => {
  it('starts a new consumer when kafkajs gives up after a non-retriable crash', async () => {
    const { made, bc } = consumerOverFakes();
    const crashes: boolean[] = [];
    bc.onCrash((_err, restart) => crashes.push(restart));
    await bc.run({ topics: ['t'], eachBatch: async () => {} });
    made[0]!.crash(true); // retriable: kafkajs restarts it itself
    made[0]!.crash(false);
    await new Promise((r) => setTimeout(r, 700));
    expect(crashes).toEqual([true, false]);
    expect(made).toHaveLength(2);
    expect(made[0]!.disconnected).toBe(true);
    expect(made[1]!.runs).toBe(1);
    // Listeners follow the new consumer.
    made[1]!.crash(true);
    expect(crashes).toEqual([true, false, true]);
  });

  it('does not restart after stop()', async () => {
    const { made, bc } = consumerOverFakes();
    await bc.run({ topics: ['t'], eachBatch: async () => {} });
    await bc.stop();
    made[0]!.crash(false);
    await new Promise((r) => setTimeout(r, 700));
    expect(made).toHaveLength(1);
  });
});
