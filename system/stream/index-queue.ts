/** One flight's availability as the index should hold it; `eventTimeMs` guards against regressions. */
export interface AvailabilityUpdate {
  flightId: string;
  seatsAvailable: number;
  eventTimeMs: number;
}

export interface IndexQueueOptions {
  /** Writes one bulk of updates; rejects when the bulk (or part of it) failed. */
  send: (updates: AvailabilityUpdate[]) => Promise<void>;
  /** Flights waiting beyond which updates of further flights are dropped (default 20,000). */
  maxPending?: number;
  /** Updates per bulk request (default 1,000). */
  maxBulk?: number;
  /** Wait after the first update before a flush, to gather a bulk (default 50 ms). */
  lingerMs?: number;
  /** Wait after a failed bulk before the next (default 1,000 ms). */
  retryMs?: number;
  onDropped?: (n: number, why: 'full' | 'failed') => void;
  onError?: (err: unknown) => void;
}

/**
 * Index updates off the stream's commit path (issue 13): the committed batch hands its
 * availability changes over and moves on; one bulk at a time goes to OpenSearch behind. Updates
 * of one flight coalesce (the newest event time wins, as the index's own guard decides), so the
 * queue holds at most one entry per flight and is bounded by `maxPending`. Best effort: a failed
 * bulk is put back once (the index's event-time guard makes a repeat harmless) and dropped if it
 * fails again; the next update of the flight repairs it. No timer runs while the queue is empty.
 */
export class IndexQueue {
  private pending = new Map<string, AvailabilityUpdate & { attempts: number }>();
  private current: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly maxPending: number;
  private readonly maxBulk: number;
  private readonly lingerMs: number;
  private readonly retryMs: number;

  constructor(private readonly opts: IndexQueueOptions) {
    this.maxPending = opts.maxPending ?? 20_000;
    this.maxBulk = opts.maxBulk ?? 1_000;
    this.lingerMs = opts.lingerMs ?? 50;
    this.retryMs = opts.retryMs ?? 1_000;
  }

  get size(): number {
    return this.pending.size;
  }

  /** Queues updates (newest event time per flight wins) and schedules a flush. */
  offer(updates: AvailabilityUpdate[]): void {
    let full = 0;
    for (const u of updates) {
      if (!this.merge(u, 0)) full++;
    }
    if (full > 0) this.opts.onDropped?.(full, 'full');
    this.schedule(this.lingerMs);
  }

  /** False when the queue is full and the flight has no entry yet. */
  private merge(u: AvailabilityUpdate, attempts: number): boolean {
    const cur = this.pending.get(u.flightId);
    if (cur) {
      if (u.eventTimeMs > cur.eventTimeMs) this.pending.set(u.flightId, { ...u, attempts });
      return true;
    }
    if (this.pending.size >= this.maxPending) return false;
    this.pending.set(u.flightId, { ...u, attempts });
    return true;
  }

  private schedule(ms: number): void {
    if (this.closed || this.timer || this.current || this.pending.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, ms);
  }

  /** Sends everything pending, one bulk at a time; resolves when the queue is empty or a bulk failed. */
  flush(): Promise<void> {
    if (!this.current) {
      this.current = this.drain().then((failed) => {
        this.current = null;
        this.schedule(failed ? this.retryMs : this.lingerMs);
      });
    }
    return this.current;
  }

  /** Sends bulks until the queue is empty or one fails; never rejects. True when one failed. */
  private async drain(): Promise<boolean> {
    let failed = false;
    while (this.pending.size > 0 && !failed) {
      const bulk: (AvailabilityUpdate & { attempts: number })[] = [];
      for (const [id, u] of this.pending) {
        bulk.push(u);
        this.pending.delete(id);
        if (bulk.length >= this.maxBulk) break;
      }
      try {
        await this.opts.send(bulk.map(({ attempts: _, ...u }) => u));
      } catch (err) {
        failed = true;
        this.opts.onError?.(err);
        let dropped = 0;
        for (const u of bulk) {
          // A newer update that arrived meanwhile supersedes the failed one anyway.
          if (u.attempts >= 1 || !this.merge(u, u.attempts + 1)) dropped++;
        }
        if (dropped > 0) this.opts.onDropped?.(dropped, 'failed');
      }
    }
    return failed;
  }

  /** Flushes what is pending (bounded by `waitMs`) and stops scheduling. */
  async close(waitMs = 2_000): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    let deadline: NodeJS.Timeout | undefined;
    await Promise.race([
      this.flush(),
      new Promise<void>((r) => {
        deadline = setTimeout(r, waitMs);
      }),
    ]);
    clearTimeout(deadline);
  }
}
