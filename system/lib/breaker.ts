/**
 * Circuit breaker as seed 002 configures it: trips after `failureThreshold` failures inside a
 * rolling `failureWindowMs`, stays open `openMs`, then half-open lets one trial call through at a
 * time; `successThreshold` consecutive successes close it, any failure re-opens it.
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

export class CircuitBreaker {
  readonly name: string;
  private state: BreakerState = 'closed';
  private failures: number[] = [];
  private successes = 0;
  private openedAt = 0;
  private trialInFlight = false;
  private readonly failureThreshold: number;
  private readonly successThreshold: number;
  private readonly openMs: number;
  private readonly failureWindowMs: number;
  private readonly isFailure: (err: unknown) => boolean;
  private readonly now: () => number;
  private readonly onStateChange: ((name: string, state: BreakerState) => void) | undefined;

  constructor(opts: BreakerOptions) {
    this.name = opts.name;
    this.failureThreshold = opts.failureThreshold ?? 5;
    this.successThreshold = opts.successThreshold ?? 3;
    this.openMs = opts.openMs ?? 30_000;
    this.failureWindowMs = opts.failureWindowMs ?? 60_000;
    this.isFailure = opts.isFailure ?? (() => true);
    this.now = opts.now ?? Date.now;
    this.onStateChange = opts.onStateChange;
  }

  /** Current state; an expired open period reads as half-open. */
  getState(): BreakerState {
    if (this.state === 'open' && this.now() - this.openedAt >= this.openMs) this.transition('half-open');
    return this.state;
  }

  async run<T>(op: () => Promise<T>): Promise<T> {
    const state = this.getState();
    if (state === 'open') throw new BreakerOpenError(this.name);
    const trial = state === 'half-open';
    if (trial) {
      if (this.trialInFlight) throw new BreakerOpenError(this.name);
      this.trialInFlight = true;
    }
    try {
      const result = await op();
      this.onSuccess();
      return result;
    } catch (err) {
      if (this.isFailure(err)) this.onFailure();
      else this.onSuccess();
      throw err;
    } finally {
      if (trial) this.trialInFlight = false;
    }
  }

  private onSuccess(): void {
    if (this.state === 'half-open') {
      this.successes += 1;
      if (this.successes >= this.successThreshold) this.transition('closed');
    }
  }

  private onFailure(): void {
    const t = this.now();
    if (this.state === 'half-open') {
      this.trip(t);
      return;
    }
    if (this.state === 'open') return;
    this.failures.push(t);
    this.failures = this.failures.filter((f) => t - f < this.failureWindowMs);
    if (this.failures.length >= this.failureThreshold) this.trip(t);
  }

  private trip(t: number): void {
    this.openedAt = t;
    this.transition('open');
  }

  private transition(next: BreakerState): void {
    if (next === this.state) return;
    this.state = next;
    this.failures = [];
    this.successes = 0;
    this.onStateChange?.(this.name, next);
  }
}
