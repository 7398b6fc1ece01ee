/**
 * Exponential backoff with jitter (seed 002): delay = min(base * 2^attempt + U(0, 0.1 * that),
 * maxDelay). `deadlineMs` bounds the whole call (attempts + sleeps) so tail latency stays sane:
 * a retry whose sleep would cross the deadline is not attempted.
 */
export interface RetryPolicy {
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Total time budget in ms from the first attempt; Infinity for none. */
  deadlineMs: number;
}

/** Seed 002's table. */
export const RETRY_API: RetryPolicy = {
  maxRetries: 3,
  baseDelayMs: 100,
  maxDelayMs: 5_000,
  deadlineMs: 8_000,
};
export const RETRY_DB: RetryPolicy = {
  maxRetries: 5,
  baseDelayMs: 50,
  maxDelayMs: 10_000,
  deadlineMs: 5_000,
};

export function backoffDelay(
  policy: RetryPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const base = policy.baseDelayMs * 2 ** attempt;
  return Math.min(base + random() * base * 0.1, policy.maxDelayMs);
}

export interface RetryOptions {
  isRetryable?: (err: unknown) => boolean;
  onRetry?: (attempt: number, delayMs: number, err: unknown) => void;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function retry<T>(
  policy: RetryPolicy,
  op: (attempt: number) => Promise<T>,
  opts: RetryOptions = {},
): Promise<T> {
  const now = opts.now ?? Date.now;
  const doSleep = opts.sleep ?? sleep;
  const started = now();
  for (let attempt = 0; ; attempt++) {
    try {
      return await op(attempt);
    } catch (err) {
      if (attempt >= policy.maxRetries || !(opts.isRetryable?.(err) ?? true)) throw err;
      const delay = backoffDelay(policy, attempt, opts.random);
      if (now() - started + delay > policy.deadlineMs) throw err;
      opts.onRetry?.(attempt + 1, delay, err);
      await doSleep(delay);
    }
  }
}
