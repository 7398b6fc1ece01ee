/**
 * Circuit breaker as seed 002 configures it: trips after `failureThreshold` bad calls inside a
 * rolling `failureWindowMs`, stays open `openMs`, then half-open lets `halfOpenConcurrency` trial
 * calls through at a time; `successThreshold` consecutive good trials close it, any bad one
 * re-opens it.
 *
 * Options the defaults leave off (seed 002 lists them as "failure_rate_threshold" and "latency"):
 *   - `slowCallMs`: a call that succeeds later than this counts as bad, so a dependency that
 *     answers slowly trips the breaker like one that fails;
 *   - `failureRateThreshold` + `minimumCalls`: trips only when the bad share of the window's calls
 *     also reaches the rate, so a few slow calls among thousands do not open it;
 *   - `rampMs`: after closing, traffic comes back gradually (10 % of calls admitted at first,
 *     100 % after `rampMs`); the calls held back fail fast with BreakerOpenError, like when open.
 */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** Numeric encoding of `ws_breaker_state`: 0 closed, 1 open, 2 half-open. */
export const BREAKER_STATE_VALUE: Record<BreakerState, number> = { closed: 0, open: 1, 'half-open': 2 };

export interface BreakerOptions {
  name: string;
  failureThreshold?: number;
  successThreshold?: number;
  openMs?: number;
  failureWindowMs?: number;
  /** A successful call that took longer than this counts as a failure (default: never). */
  slowCallMs?: number;
  /** Bad share of the window's calls (0..1) also needed to trip (default 0: count only). */
  failureRateThreshold?: number;
  /** Calls in the window needed before the rate applies (default 0). */
  minimumCalls?: number;
  /** Trial calls at once while half-open (default 1). */
  halfOpenConcurrency?: number;
  /** After closing, admit a growing share of calls over this time (default 0: all at once). */
  rampMs?: number;
  /** Errors for which this returns false do not count as failures (e.g. 404, validation). */
  isFailure?: (err: unknown) => boolean;
  now?: () => number;
  onStateChange?: (name: string, state: BreakerState) => void;
}

export class BreakerOpenError extends Error {
  constructor(readonly breaker: string) {
    super(`circuit breaker ${breaker} is open`);
    this.name = 'BreakerOpenError';
  }
}

interface Bucket {
  start: number;
  calls: number;
  bad: number;
}

/** Share of calls admitted `elapsed` ms into a ramp of `rampMs`: 10 % rising linearly to 100 %. */
export function rampShare(elapsed: number, rampMs: number): number {
  if (rampMs <= 0 || elapsed >= rampMs) return 1;
  return 0.1 + (0.9 * Math.max(0, elapsed)) / rampMs;
}

export class CircuitBreaker {
  readonly name: string;
  private state: BreakerState = 'closed';
  private buckets: Bucket[] = [];
  private successes = 0;
  private openedAt = 0;
  private closedAt = Number.NEGATIVE_INFINITY;
  /** Admission credit during the ramp: each call adds the current share; a whole unit admits one. */
  private rampCredit = 0;
  private trialsInFlight = 0;
  private readonly failureThreshold: number;
  private readonly successThreshold: number;
  private readonly openMs: number;
  private readonly failureWindowMs: number;
  private readonly bucketMs: number;
  private readonly slowCallMs: number;
  private readonly failureRateThreshold: number;
  private readonly minimumCalls: number;
  private readonly halfOpenConcurrency: number;
  private readonly rampMs: number;
  private readonly isFailure: (err: unknown) => boolean;
  private readonly now: () => number;
  private readonly onStateChange: ((name: string, state: BreakerState) => void) | undefined;

  constructor(opts: BreakerOptions) {
    this.name = opts.name;
    this.failureThreshold = opts.failureThreshold ?? 5;
    this.successThreshold = opts.successThreshold ?? 3;
    this.openMs = opts.openMs ?? 30_000;
    this.failureWindowMs = opts.failureWindowMs ?? 60_000;
    this.bucketMs = Math.max(1, Math.floor(this.failureWindowMs / 60));
    this.slowCallMs = opts.slowCallMs ?? Number.POSITIVE_INFINITY;
    this.failureRateThreshold = opts.failureRateThreshold ?? 0;
    this.minimumCalls = opts.minimumCalls ?? 0;
    this.halfOpenConcurrency = opts.halfOpenConcurrency ?? 1;
    this.rampMs = opts.rampMs ?? 0;
    this.isFailure = opts.isFailure ?? (() => true);
    this.now = opts.now ?? Date.now;
    this.onStateChange = opts.onStateChange;
  }

  /** Current state; an expired open period reads as half-open. */
  getState(): BreakerState {
    if (this.state === 'open' && this.now() - this.openedAt >= this.openMs) this.transition('half-open');
    return this.state;
  }

  /** True when a call made now would be let through (without taking a trial slot). */
  wouldAdmit(): boolean {
    const state = this.getState();
    if (state === 'open') return false;
    if (state === 'half-open') return this.trialsInFlight < this.halfOpenConcurrency;
    const share = rampShare(this.now() - this.closedAt, this.rampMs);
    return share >= 1 || this.rampCredit + share >= 1;
  }

  async run<T>(op: () => Promise<T>): Promise<T> {
    const state = this.getState();
    if (state === 'open') throw new BreakerOpenError(this.name);
    const trial = state === 'half-open';
    if (trial) {
      if (this.trialsInFlight >= this.halfOpenConcurrency) throw new BreakerOpenError(this.name);
      this.trialsInFlight += 1;
    } else if (!this.admitDuringRamp()) {
      throw new BreakerOpenError(this.name);
    }
    const started = this.now();
    try {
      const result = await op();
      if (this.now() - started > this.slowCallMs) this.onBad();
      else this.onGood();
      return result;
    } catch (err) {
      if (this.isFailure(err)) this.onBad();
      else this.onGood();
      throw err;
    } finally {
      if (trial) this.trialsInFlight -= 1;
    }
  }

  private admitDuringRamp(): boolean {
    const share = rampShare(this.now() - this.closedAt, this.rampMs);
    if (share >= 1) return true;
    this.rampCredit += share;
    if (this.rampCredit < 1) return false;
    this.rampCredit -= 1;
    return true;
  }

  private record(bad: boolean): { calls: number; bad: number } {
    const t = this.now();
    const last = this.buckets[this.buckets.length - 1];
    if (last && t - last.start < this.bucketMs) {
      last.calls += 1;
      if (bad) last.bad += 1;
    } else {
      this.buckets.push({ start: t, calls: 1, bad: bad ? 1 : 0 });
    }
    while (this.buckets.length > 0 && t - this.buckets[0]!.start >= this.failureWindowMs)
      this.buckets.shift();
    let calls = 0;
    let badCalls = 0;
    for (const b of this.buckets) {
      calls += b.calls;
      badCalls += b.bad;
    }
    return { calls, bad: badCalls };
  }

  private onGood(): void {
    if (this.state === 'half-open') {
      this.successes += 1;
      if (this.successes >= this.successThreshold) this.transition('closed');
      return;
    }
    if (this.state === 'closed' && this.failureRateThreshold > 0) this.record(false);
  }

  private onBad(): void {
    if (this.state === 'half-open') {
      this.trip();
      return;
    }
    if (this.state === 'open') return;
    const w = this.record(true);
    if (w.bad < this.failureThreshold) return;
    if (this.failureRateThreshold > 0) {
      if (w.calls < this.minimumCalls || w.bad / w.calls < this.failureRateThreshold) return;
    }
    this.trip();
  }

  private trip(): void {
    this.openedAt = this.now();
    this.transition('open');
  }

  private transition(next: BreakerState): void {
    if (next === this.state) return;
    this.state = next;
    this.buckets = [];
    this.successes = 0;
    if (next === 'closed') {
      this.closedAt = this.now();
      this.rampCredit = 0;
    }
    this.onStateChange?.(this.name, next);
  }
}
