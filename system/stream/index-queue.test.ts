import { describe, expect, it } from 'vitest';
import { type AvailabilityUpdate, IndexQueue } from './index-queue.ts';

const u = (flightId: string, seatsAvailable: number, eventTimeMs: number): AvailabilityUpdate => ({
  flightId,
  seatsAvailable,
  eventTimeMs,
});

describe('IndexQueue', () => {
  it('coalesces one flight to its newest event time and sends in bulks of maxBulk', async () => {
    const sent: AvailabilityUpdate[][] = [];
    const q = new IndexQueue({ send: async (b) => void sent.push(b), maxBulk: 2, lingerMs: 60_000 });
    q.offer([u('F1', 5, 1000), u('F1', 3, 3000), u('F1', 9, 2000), u('F2', 1, 1000), u('F3', 0, 1000)]);
    expect(q.size).toBe(3);
    await q.flush();
    expect(sent).toEqual([[u('F1', 3, 3000), u('F2', 1, 1000)], [u('F3', 0, 1000)]]);
    expect(q.size).toBe(0);
    await q.close();
  });

  it('drops updates of new flights when full, but still takes newer updates of queued ones', async () => {
    const dropped: [number, string][] = [];
    const q = new IndexQueue({
      send: async () => undefined,
      maxPending: 2,
      lingerMs: 60_000,
      onDropped: (n, why) => void dropped.push([n, why]),
    });
    q.offer([u('F1', 5, 1000), u('F2', 5, 1000), u('F3', 5, 1000), u('F1', 4, 2000)]);
    expect(q.size).toBe(2);
    expect(dropped).toEqual([[1, 'full']]);
    await q.close();
  });

  it('puts a failed bulk back once, then drops it; a newer update of the flight supersedes it', async () => {
    const dropped: [number, string][] = [];
    let calls = 0;
    const q = new IndexQueue({
      send: async () => {
        calls++;
        throw new Error('index down');
      },
      lingerMs: 60_000,
      retryMs: 60_000,
      onDropped: (n, why) => void dropped.push([n, why]),
    });
    q.offer([u('F1', 5, 1000), u('F2', 5, 1000)]);
    await q.flush();
    expect(q.size).toBe(2);
    expect(dropped).toEqual([]);
    await q.flush();
    expect(calls).toBe(2);
    expect(q.size).toBe(0);
    expect(dropped).toEqual([[2, 'failed']]);
    await q.close(0);
  });

  it('flushes by itself after lingerMs and sends nothing while empty', async () => {
    const sent: AvailabilityUpdate[][] = [];
    const q = new IndexQueue({ send: async (b) => void sent.push(b), lingerMs: 5 });
    await new Promise((r) => setTimeout(r, 20));
    expect(sent).toEqual([]);
    q.offer([u('F1', 5, 1000)]);
    await new Promise((r) => setTimeout(r, 50));
    expect(sent).toEqual([[u('F1', 5, 1000)]]);
    await q.close();
  });
});
