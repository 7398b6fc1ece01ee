import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import {
  headersToRecord,
  leaderless,
  memoizeCoordinator,
  missingPartitions,
  offsetsFrom,
  partitionFor,
  withPatchedCluster,
} from './kafka.ts';

describe('partitionFor', () => {
  it('matches the Java default partitioner (murmur2, positive modulo)', () => {
    // murmur2 reference values from Kafka's UtilsTest; partition = toPositive(hash) % n.
    const java = (hash: number, n: number) => (hash & 0x7fffffff) % n;
    expect(partitionFor('21', 24)).toBe(java(-973932308, 24));
    expect(partitionFor('foobar', 24)).toBe(java(-790332482, 24));
    expect(partitionFor('a-little-bit-longer-string', 6)).toBe(java(-1486304829, 6));
    expect(partitionFor('abc', 24)).toBe(java(479470107, 24));
    const spread = new Set(Array.from({ length: 200 }, (_, i) => partitionFor(`k${i}`, 24)));
    expect(spread.size).toBeGreaterThan(20);
    for (const p of spread) expect(p).toBeGreaterThanOrEqual(0);
    for (const p of spread) expect(p).toBeLessThan(24);
  });
});

describe('leaderless', () => {
  it('names topics missing from the metadata and partitions without a leader (-1)', () => {
    const md = [
      {
        name: 'a',
        partitions: [
          { partitionId: 0, leader: 2 },
          { partitionId: 1, leader: -1 },
        ],
      },
      { name: 'b', partitions: [] },
      { name: 'd', partitions: [{ partitionId: 0, leader: 0 }] },
    ];
    expect(leaderless(['a', 'b', 'c', 'd'], md)).toEqual(['a/1', 'b', 'c']);
    expect(leaderless(['d'], md)).toEqual([]);
  });
});

describe('offsetsFrom', () => {
  it('numbers messages from the base offset without float loss', () => {
    expect(offsetsFrom('9007199254740993', 2)).toEqual(['9007199254740993', '9007199254740994']);
  });
});

describe('headersToRecord', () => {
  it('keeps first values as strings and drops undefined', () => {
    expect(headersToRecord({ a: Buffer.from('x'), b: ['y', 'z'], c: undefined })).toEqual({ a: 'x', b: 'y' });
  });
});

describe('missingPartitions', () => {
  it('names each partition written to without an acknowledgement, once, ascending', () => {
    expect(missingPartitions([3, 1, 3, 7, 1], [1])).toEqual([3, 7]);
    expect(missingPartitions([2, 2], [2, 5])).toEqual([]);
    expect(missingPartitions([], [])).toEqual([]);
  });
});

describe('memoizeCoordinator', () => {
  const broker = (name: string) => ({
    name,
    fail: null as null | 'NOT_COORDINATOR_FOR_GROUP' | 'CONCURRENT_TRANSACTIONS',
    async request(): Promise<string> {
      if (this.fail) throw Object.assign(new Error(`${name}: ${this.fail}`), { type: this.fail });
      return `${name} answered`;
    },
  });

  it('asks once per coordinator and ttl, never keeps a failed answer, and forgets on demand', async () => {
    let t = 0;
    const asked: string[] = [];
    let fail = false;
    const m = memoizeCoordinator(
      async (q) => {
        asked.push(`${q.coordinatorType ?? 0}/${q.groupId}`);
        if (fail) throw new Error('no coordinator');
        return broker(`broker-for-${q.groupId}`);
      },
      1_000,
      () => t,
    );
    expect((await m.find({ groupId: 'tx-1', coordinatorType: 1 })).name).toBe('broker-for-tx-1');
    await m.find({ groupId: 'tx-1', coordinatorType: 1 });
    await m.find({ groupId: 'group', coordinatorType: 0 });
    expect(asked).toEqual(['1/tx-1', '0/group']);
    t = 1_000;
    await m.find({ groupId: 'tx-1', coordinatorType: 1 });
    expect(asked).toHaveLength(3);
    m.forget();
    fail = true;
    await expect(m.find({ groupId: 'tx-1', coordinatorType: 1 })).rejects.toThrow('no coordinator');
    fail = false;
    expect((await m.find({ groupId: 'tx-1', coordinatorType: 1 })).name).toBe('broker-for-tx-1');
    expect(asked).toHaveLength(5);
  });

  it('forgets a coordinator once a request through it fails as not the coordinator, not on other refusals', async () => {
    const brokers = [broker('old'), broker('new')];
    let n = 0;
    const m = memoizeCoordinator(
      async () => brokers[n++]!,
      60_000,
      () => 0,
    );
    const first = await m.find({ groupId: 'g' });
    expect(await first.request()).toBe('old answered');
    brokers[0]!.fail = 'CONCURRENT_TRANSACTIONS';
    await expect((await m.find({ groupId: 'g' })).request()).rejects.toThrow('CONCURRENT_TRANSACTIONS');
    await new Promise((r) => setImmediate(r));
    expect((await m.find({ groupId: 'g' })).name).toBe('old');
    brokers[0]!.fail = 'NOT_COORDINATOR_FOR_GROUP';
    await expect((await m.find({ groupId: 'g' })).request()).rejects.toThrow('NOT_COORDINATOR_FOR_GROUP');
    await new Promise((r) => setImmediate(r));
    expect(await (await m.find({ groupId: 'g' })).request()).toBe('new answered');
    expect(n).toBe(2);
  });
});

describe('withPatchedCluster', () => {
  it("hands the new producer's kafkajs cluster to the patch, and only that one", () => {
    const kafka = new Kafka({ clientId: 't', brokers: ['127.0.0.1:1'], logLevel: logLevel.NOTHING });
    const patched: unknown[] = [];
    withPatchedCluster(
      kafka,
      (c) => void patched.push(c),
      () => kafka.producer(),
    );
    expect(patched).toHaveLength(1);
    expect(typeof (patched[0] as { findGroupCoordinator: unknown }).findGroupCoordinator).toBe('function');
    kafka.producer();
    expect(patched).toHaveLength(1);
  });
});
