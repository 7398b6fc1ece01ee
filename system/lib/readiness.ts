/** Named dependency checks for /readyz; each resolves when the dependency answers. */
export type ReadyChecks = Record<string, () => Promise<unknown>>;

export interface ReadyResult {
  ok: boolean;
  checks: Record<string, string>;
}

const CHECK_TIMEOUT_MS = 1_000;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, rej) => {
    timer = setTimeout(() => rej(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

export async function runChecks(
  checks: ReadyChecks,
  readyWhen: (ok: Record<string, boolean>) => boolean = (ok) => Object.values(ok).every(Boolean),
): Promise<ReadyResult> {
  const names = Object.keys(checks);
  const results = await Promise.allSettled(names.map((n) => withTimeout(checks[n]!(), CHECK_TIMEOUT_MS, n)));
  const out: Record<string, string> = {};
  const passed: Record<string, boolean> = {};
  results.forEach((r, i) => {
    out[names[i]!] = r.status === 'fulfilled' ? 'ok' : `error: ${String(r.reason)}`;
    passed[names[i]!] = r.status === 'fulfilled';
  });
  return { ok: readyWhen(passed), checks: out };
}

export interface ReadinessOptions {
  /** Between runs while the last one was ready (default 5 s). */
  okIntervalMs?: number;
  /** Between runs while the last one was not ready (default 1 s), so recovery shows fast. */
  failIntervalMs?: number;
  /** Least time between two runs, whatever asks (default 1 s). */
  minGapMs?: number;
  /** Nobody asked for this long: stop the background runs until the next ask (default 30 s). */
  idleStopMs?: number;
  now?: () => number;
}

/**
 * Readiness computed in the background, not per health check: the balancers ask /readyz every
 * second per replica, which used to call every dependency each time. The checks run every
 * `okIntervalMs` (every `failIntervalMs` while not ready), and at once — at most once per
 * `minGapMs` — when the service saw a dependency fail (`nudge`), so a failure under traffic is
 * noticed as fast as before while an idle service pings its dependencies once per interval.
 * A service nobody asks (no balancer in front of it) stops checking after `idleStopMs`; the next
 * ask then waits for a fresh run.
 */
export class ReadinessMonitor {
  private last: ReadyResult | null = null;
  private running: Promise<ReadyResult> | null = null;
  private lastStart = Number.NEGATIVE_INFINITY;
  private lastAsked = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;
  /** The background runs stopped because nobody asked (or never started). */
  private idle = true;
  private stopped = false;
  private readonly okIntervalMs: number;
  private readonly failIntervalMs: number;
  private readonly minGapMs: number;
  private readonly idleStopMs: number;
  private readonly now: () => number;

  constructor(
    private readonly run: () => Promise<ReadyResult>,
    opts: ReadinessOptions = {},
  ) {
    this.okIntervalMs = opts.okIntervalMs ?? 5_000;
    this.failIntervalMs = opts.failIntervalMs ?? 1_000;
    this.minGapMs = opts.minGapMs ?? 1_000;
    this.idleStopMs = opts.idleStopMs ?? 30_000;
    this.now = opts.now ?? Date.now;
  }

  /** Runs the checks now and then on schedule. */
  start(): void {
    this.stopped = false;
    this.idle = false;
    this.lastAsked = this.now();
    void this.refresh();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** The latest result; before the first run, or after an idle stop, a fresh run's result. */
  current(): Promise<ReadyResult> {
    this.lastAsked = this.now();
    if (!this.last) return this.refresh();
    if (this.idle && !this.stopped) {
      this.idle = false;
      return this.refresh();
    }
    return Promise.resolve(this.last);
  }

  /** A dependency just failed a real call: re-check now unless a run is under way or just ran. */
  nudge(): void {
    if (this.stopped || this.running || this.now() - this.lastStart < this.minGapMs) return;
    void this.refresh();
  }

  private refresh(): Promise<ReadyResult> {
    if (this.running) return this.running;
    clearTimeout(this.timer);
    this.lastStart = this.now();
    const p = this.run()
      .catch((err: unknown): ReadyResult => ({ ok: false, checks: { readiness: `error: ${String(err)}` } }))
      .then((r) => {
        this.last = r;
        return r;
      })
      .finally(() => {
        this.running = null;
        this.idle = this.stopped || this.now() - this.lastAsked >= this.idleStopMs;
        if (!this.idle) {
          this.timer = setTimeout(
            () => void this.refresh(),
            this.last?.ok ? this.okIntervalMs : this.failIntervalMs,
          );
          this.timer.unref();
        }
      });
    this.running = p;
    return p;
  }
}
