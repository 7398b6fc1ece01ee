import { describe, expect, it } from 'vitest';
import { backoffDelay, RETRY_API, RETRY_DB, retry } from './retry.ts';

function clock() {
  let t = 0;
  const slept: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      slept.push(ms);
      t += ms;
    },
    slept,
  };
}

describe('backoffDelay', () => {
  it('doubles from the base, adds at most 10% jitter, caps at the max', () => {
    expect(backoffDelay(RETRY_DB, 0, () => 0)).toBe(50);
    expect(backoffDelay(RETRY_DB, 3, () => 0)).toBe(400);
    expect(backoffDelay(RETRY_DB, 3, () => 0.999)).toBeCloseTo(439.96, 1);
    expect(backoffDelay(RETRY_API, 20, () => 0.5)).toBe(5_000);
  });
});

describe('retry', () => {
  it('retries up to maxRetries then throws the last error', async () => {
    const c = clock();
    let calls = 0;
    await expect(
      retry(
        { ...RETRY_API, deadlineMs: Number.POSITIVE_INFINITY },
        async () => {
          calls++;
          throw new Error(`e${calls}`);
        },
        { ...c, random: () => 0 },
      ),
    ).rejects.toThrow('e4');
    expect(calls).toBe(4);
    expect(c.slept).toEqual([100, 200, 400]);
  });

  it('returns the first success', async () => {
    const c = clock();
    const r = await retry(RETRY_DB, async (a) => (a < 2 ? Promise.reject(new Error('x')) : a), c);
    expect(r).toBe(2);
  });

  it('does not retry non-retryable errors', async () => {
    let calls = 0;
    await expect(
      retry(
        RETRY_DB,
        async () => {
          calls++;
          throw new Error('bad input');
        },
        { isRetryable: () => false },
      ),
    ).rejects.toThrow('bad input');
    expect(calls).toBe(1);
  });

  it('stops when the next sleep would cross the deadline', async () => {
    const c = clock();
    let calls = 0;
    await expect(
      retry(
        { maxRetries: 10, baseDelayMs: 100, maxDelayMs: 10_000, deadlineMs: 350 },
        async () => {
          calls++;
          throw new Error('x');
        },
        { ...c, random: () => 0 },
      ),
    ).rejects.toThrow();
    expect(c.slept).toEqual([100, 200]);
    expect(calls).toBe(3);
  });
});
