/**
 * Where a stream batch spends its time: milliseconds per named phase summed over batches, and a
 * summary (batches, messages, mean and max ms per phase) handed out at most every `everyMs`.
 * No timer of its own: the summary is taken on the batch path, so an idle worker does nothing.
 */
export interface PhaseSummary {
  windowSec: number;
  batches: number;
  messages: number;
  /** Batches committed per second over the window. */
  commitsPerSec: number;
  meanMs: Record<string, number>;
  maxMs: Record<string, number>;
}

export class PhaseTimer {
  private sums = new Map<string, number>();
  private maxes = new Map<string, number>();
  private batches = 0;
  private messages = 0;
  private since: number;

  constructor(
    private readonly everyMs = 10_000,
    now = Date.now(),
  ) {
    this.since = now;
  }

  add(phase: string, ms: number): void {
    this.sums.set(phase, (this.sums.get(phase) ?? 0) + ms);
    this.maxes.set(phase, Math.max(this.maxes.get(phase) ?? 0, ms));
  }

  /** Times `op` as `phase`. */
  async time<T>(phase: string, op: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await op();
    } finally {
      this.add(phase, performance.now() - t0);
    }
  }

  /** Counts one committed batch; returns the summary when the window is over (and starts the next). */
  batchDone(messages: number, now = Date.now()): PhaseSummary | null {
    this.batches++;
    this.messages += messages;
    if (now - this.since < this.everyMs) return null;
    const windowSec = (now - this.since) / 1000;
    const round = (x: number) => Math.round(x * 10) / 10;
    const summary: PhaseSummary = {
      windowSec: round(windowSec),
      batches: this.batches,
      messages: this.messages,
      commitsPerSec: round(this.batches / windowSec),
      meanMs: Object.fromEntries([...this.sums].map(([k, v]) => [k, round(v / this.batches)])),
      maxMs: Object.fromEntries([...this.maxes].map(([k, v]) => [k, round(v)])),
    };
    this.sums = new Map();
    this.maxes = new Map();
    this.batches = 0;
    this.messages = 0;
    this.since = now;
    return summary;
  }
}
