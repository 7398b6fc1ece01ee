import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { QuorumInfo } from './kafka-quorum.ts';
import { answersWithin, mergeAnswers } from './kafka-view.ts';

const part = (partition: number, leader: number, leaderEpoch: number, isr: number[]) => ({
  topic: 't',
  partition,
  leader,
  leaderEpoch,
  isr,
});
const quorum = (leaderId: number, leaderEpoch: number): QuorumInfo => ({
  leaderId,
  leaderEpoch,
  highWatermark: 0n,
  voters: [],
});

describe('mergeAnswers', () => {
  it('takes each partition from the answer with the newest leader epoch', () => {
    const stale = { brokers: [1, 2, 3], partitions: [part(0, 1, 4, [1, 2, 3]), part(1, 2, 9, [2, 3])] };
    const fresh = { brokers: [2, 3], partitions: [part(0, 2, 5, [3, 2]), part(1, 2, 8, [2, 3, 1])] };
    const v = mergeAnswers([stale, fresh], []);
    expect(v?.partitions).toEqual([
      { topic: 't', partition: 0, leader: 2, isr: [2, 3] },
      { topic: 't', partition: 1, leader: 2, isr: [2, 3] },
    ]);
    // brokers from the answer with the larger sum of epochs (14 against 13)
    expect(v?.brokers).toEqual([1, 2, 3]);
  });

  it('maps no leader to null, takes the controller of the newest quorum epoch, and needs one metadata answer', () => {
    const m = { brokers: [1], partitions: [part(0, -1, 3, [])] };
    const v = mergeAnswers([m], [quorum(2, 5), quorum(3, 6), quorum(-1, 7)]);
    expect(v).toEqual({
      controller: 3,
      brokers: [1],
      partitions: [{ topic: 't', partition: 0, leader: null, isr: [] }],
    });
    expect(mergeAnswers([], [quorum(1, 1)])).toBeNull();
  });
});

describe('answersWithin', () => {
  // A call that never settles: the test can only finish if the grace ends the wait.
  it('waits only the grace after the first good answer for a call that hangs', async () => {
    const hang = new Promise<string>(() => {});
    const r = await answersWithin([hang, sleep(20).then(() => 'ok')], (v) => v === 'ok', 50);
    expect(r).toEqual([null, 'ok']);
  });

  it('returns as soon as every call settled, rejections as null', async () => {
    const r = await answersWithin(
      [Promise.resolve('bad'), Promise.reject(new Error('x'))],
      (v) => v === 'ok',
      60_000,
    );
    expect(r).toEqual(['bad', null]);
  });

  it('ends at maxMs when nothing good arrives', async () => {
    const hang = new Promise<string>(() => {});
    expect(await answersWithin([hang, Promise.resolve('bad')], (v) => v === 'ok', 0, 30)).toEqual([
      null,
      'bad',
    ]);
  });
});
