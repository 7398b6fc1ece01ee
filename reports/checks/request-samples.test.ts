import { describe, expect, it } from 'vitest';
import { sliRecovery } from './fault-recovery.ts';
import { type RequestSample, recoveredWithin, runEpochStart } from './request-samples.ts';
import { secs, win } from './test-run.ts';

const req = (issuedMs: number, durationMs: number, error = false, tag = 'search'): RequestSample => ({
  tag,
  issuedMs,
  durationMs,
  error,
});

describe('recoveredWithin', () => {
  // Second [42 s, 43 s): the first request still waited out the backlog, the next ones did not.
  const samples = [
    req(41_500, 1500),
    req(42_010, 1032),
    req(42_260, 70),
    req(42_510, 5),
    req(42_760, 4),
    req(43_010, 4),
  ];

  it('is the first request after which every request of the second was good', () => {
    expect(recoveredWithin(samples, 'search', 42_000, 1000)).toBe(42_260);
  });

  it('ignores other tags, and counts every tag for *', () => {
    const mixed = [...samples, req(42_900, 2000, false, 'price')].sort((a, b) => a.issuedMs - b.issuedMs);
    expect(recoveredWithin(mixed, 'search', 42_000, 1000)).toBe(42_260);
    expect(recoveredWithin(mixed, '*', 42_000, 1000)).toBe(43_000);
  });

  it('is the end of the second when its last request failed or it had none', () => {
    expect(recoveredWithin([...samples.slice(0, 4), req(42_900, 5, true)], 'search', 42_000, 1000)).toBe(
      43_000,
    );
    expect(recoveredWithin(samples, 'search', 50_000, 1000)).toBe(51_000);
  });

  it('without a latency bound only errors count', () => {
    expect(recoveredWithin(samples, 'search', 42_000, null)).toBe(42_010);
  });
});

describe('sliRecovery with the requests', () => {
  it('places the recovery inside the last bad second instead of at the next second', () => {
    // Errors in [21, 42): the pause; second 42 is slow at p95 (one 1,032 ms request of four).
    const metrics = secs(0, 60, (s) =>
      win(s, 4, s >= 21 && s < 42 ? 4 : 0, { latencyMs: s === 42 ? [1032, 70, 5, 4] : [5, 5, 5, 5] }),
    );
    const fault = { faultId: 'p', fault: 'ingress-pause', targets: [], startMs: 20_957, stopMs: 40_980 };
    const sli = {
      tag: 'search',
      success: { op: '>=' as const, value: 99 },
      p95Ms: { op: '<=' as const, value: 1000 },
      from: 't',
    };
    const tagged = metrics.map((w) => ({ ...w, tag: 'search' }));
    expect(sliRecovery(tagged, fault, 60_000, sli).rtoMs).toBe(43_000 - 20_957);
    const samples = [req(42_010, 1032), req(42_260, 70), req(42_510, 5), req(42_760, 4)];
    expect(sliRecovery(tagged, fault, 60_000, sli, 5, samples).rtoMs).toBe(42_260 - 20_957);
  });
});

describe('runEpochStart', () => {
  it('is the wall time of an event minus its run time', () => {
    expect(runEpochStart([{ kind: 'phase', t: 1500, wall: '2026-11-21T12:00:01.500Z' } as never])).toBe(
      Date.parse('2026-11-21T12:00:00.000Z'),
    );
    expect(runEpochStart(null)).toBeNull();
  });
});
