import { describe, expect, it } from 'vitest';
import { SliBounds } from './good-requests.ts';
import { type RequestSample, recoveredAt, runEpochStart } from './request-samples.ts';
import { sliRecovery } from './sli-recovery.ts';
import { secs, win } from './test-run.ts';

const req = (issuedMs: number, durationMs: number, error = false, tag = 'search'): RequestSample => ({
  tag,
  issuedMs,
  durationMs,
  error,
});

const within1s = (s: RequestSample) => !s.error && s.durationMs <= 1000;

describe('recoveredAt', () => {
  // Second [42 s, 43 s): the first request still waited out the backlog, the next ones did not.
  const samples = [
    req(41_500, 1500),
    req(42_010, 1032),
    req(42_260, 70),
    req(42_510, 5),
    req(42_760, 4),
    req(43_010, 4),
  ];

  it('is the answer of the first request after which every request of the second was good', () => {
    expect(recoveredAt(samples, 'search', 42_000, within1s)).toBe(42_330);
  });

  it('ignores other tags, and counts every tag for *', () => {
    const mixed = [...samples, req(42_900, 2000, false, 'price')].sort((a, b) => a.issuedMs - b.issuedMs);
    expect(recoveredAt(mixed, 'search', 42_000, within1s)).toBe(42_330);
    expect(recoveredAt(mixed, '*', 42_000, within1s)).toBe(43_014);
  });

  it("is the next second's first answer when the last request failed, the second's end when none follows", () => {
    expect(
      recoveredAt([...samples.slice(0, 4), req(42_900, 5, true), req(43_100, 6)], 'search', 42_000, within1s),
    ).toBe(43_106);
    expect(recoveredAt([...samples.slice(0, 4), req(42_900, 5, true)], 'search', 42_000, within1s)).toBe(
      43_000,
    );
    expect(recoveredAt(samples, 'search', 50_000, within1s)).toBe(51_000);
  });

  it('with a laxer bound the waiting request is good too', () => {
    expect(recoveredAt(samples, 'search', 42_000, (s) => !s.error)).toBe(42_010 + 1032);
  });
});

describe('sliRecovery with the requests', () => {
  // A request every 250 ms; the ingress is paused over [20 s, 41 s): what is due then waits and is
  // answered 5 ms after the resume; otherwise answers take 5 ms.
  const requests: RequestSample[] = [];
  for (let t = 0; t < 60_000; t += 250) requests.push(req(t, t >= 20_000 && t < 41_000 ? 41_005 - t : 5));
  const fault = { faultId: 'p', fault: 'ingress-pause', targets: [], startMs: 20_000, stopMs: 41_000 };
  const sli = (maxMs: number) => ({
    tag: 'search',
    success: { op: '>=' as const, value: 99 },
    p95Ms: null,
    bounds: new SliBounds([
      { tag: 'search', maxMs, source: { seed: 'architecture.md', table: 't', row: 'r' } },
    ]),
    from: 't',
  });

  it('places the recovery at the resume whatever the bound: waiting requests answered in time mark it by their answer', () => {
    for (const maxMs of [100, 1000, 3000]) {
      const r = sliRecovery({ metrics: null, requests }, fault, 60_000, sli(maxMs));
      expect(r.rtoMs, `bound ${maxMs} ms`).toBeGreaterThanOrEqual(21_000);
      expect(r.rtoMs, `bound ${maxMs} ms`).toBeLessThanOrEqual(21_005 + 250);
      // Detection: the first request due after the fault start that was not good.
      expect(r.detectionMs).toBe(0);
    }
  });

  it('a request that waits out the outage and then succeeds is bad: slow answers alone make an outage', () => {
    const r = sliRecovery({ metrics: null, requests }, fault, 60_000, sli(1000));
    expect(r.rtoMs).not.toBe(0);
    expect(r.rtoMs).not.toBeNull();
  });

  it('without requests, from the windows: the recovery is at a second boundary', () => {
    const metrics = secs(0, 60, (s) =>
      win(s, 4, 0, { latencyMs: s >= 20 && s < 41 ? [20_000, 20_000, 20_000, 20_000] : [5, 5, 5, 5] }),
    ).map((w) => ({ ...w, tag: 'search' }));
    const r = sliRecovery({ metrics }, fault, 60_000, sli(1000));
    expect(r).toEqual({ rtoMs: 21_000, detectionMs: 0 });
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
