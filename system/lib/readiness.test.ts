import { afterEach, describe, expect, it, vi } from 'vitest';
import { ReadinessMonitor, type ReadyResult } from './readiness.ts';

afterEach(() => {
  vi.useRealTimers();
});

function monitor(results: boolean[]) {
  let calls = 0;
  const m = new ReadinessMonitor(
    async (): Promise<ReadyResult> => {
      const ok = results[Math.min(calls, results.length - 1)]!;
      calls++;
      return { ok, checks: { db: ok ? 'ok' : 'error: down' } };
    },
    { okIntervalMs: 5_000, failIntervalMs: 1_000, minGapMs: 1_000 },
  );
  return { m, calls: () => calls };
}

describe('ReadinessMonitor', () => {
  it('answers from the last background run instead of checking per request', async () => {
    vi.useFakeTimers();
    const { m, calls } = monitor([true]);
    m.start();
    expect((await m.current()).ok).toBe(true);
    for (let i = 0; i < 50; i++) await m.current();
    expect(calls()).toBe(1);
    await vi.advanceTimersByTimeAsync(4_999);
    expect(calls()).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls()).toBe(2);
    m.stop();
  });

  it('re-checks every second while not ready, so recovery shows fast', async () => {
    vi.useFakeTimers();
    const { m, calls } = monitor([false, false, true]);
    m.start();
    expect((await m.current()).ok).toBe(false);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(calls()).toBe(3);
    expect((await m.current()).ok).toBe(true);
    m.stop();
  });

  it('re-checks at once when nudged, at most once per minGapMs', async () => {
    vi.useFakeTimers();
    const { m, calls } = monitor([true, false]);
    m.start();
    await m.current();
    m.nudge();
    expect(calls()).toBe(1);
    await vi.advanceTimersByTimeAsync(1_000);
    m.nudge();
    m.nudge();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls()).toBe(2);
    expect((await m.current()).ok).toBe(false);
    m.stop();
  });

  it('reports a check runner that throws as not ready', async () => {
    const m = new ReadinessMonitor(() => Promise.reject(new Error('boom')));
    m.start();
    const r = await m.current();
    expect(r.ok).toBe(false);
    expect(r.checks.readiness).toContain('boom');
    m.stop();
  });
});

describe('ReadinessMonitor when nobody asks', () => {
  it('stops checking after idleStopMs and runs afresh on the next ask', async () => {
    vi.useFakeTimers();
    let calls = 0;
    const m = new ReadinessMonitor(
      async () => {
        calls++;
        return { ok: true, checks: {} };
      },
      { okIntervalMs: 5_000, idleStopMs: 30_000 },
    );
    m.start();
    await m.current();
    await vi.advanceTimersByTimeAsync(60_000);
    const afterIdle = calls;
    expect(afterIdle).toBeLessThanOrEqual(8);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toBe(afterIdle);
    await m.current();
    expect(calls).toBe(afterIdle + 1);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(calls).toBe(afterIdle + 2);
    m.stop();
  });
});
