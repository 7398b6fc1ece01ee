import { describe, expect, it } from 'vitest';
import type { LatencyBound } from '../../lib/slo.ts';
import { countAboveMs, goodBySecond, goodIn, SliBounds } from './good-requests.ts';
import { encodeLatenciesUs } from './hdr.ts';
import type { RequestSample } from './request-samples.ts';
import { win } from './test-run.ts';

const source = { seed: 'architecture.md', table: 't', row: 'r' };
const bound = (tag: string, maxMs: number): LatencyBound => ({ tag, maxMs, source });
const req = (issuedMs: number, durationMs: number, error = false, tag = 'search'): RequestSample => ({
  tag,
  issuedMs,
  durationMs,
  error,
});

describe('SliBounds', () => {
  it("takes the endpoint's own bound, else the * bound, else 1000 ms", () => {
    expect(new SliBounds([bound('search', 100), bound('*', 500)]).of('search').maxMs).toBe(100);
    expect(new SliBounds([bound('search', 100), bound('*', 500)]).of('book').maxMs).toBe(500);
    expect(new SliBounds([bound('search', 100)]).of('book')).toEqual({ maxMs: 1000, from: 'default' });
  });

  it('a request is good when it succeeded within its bound, counted from its intended start', () => {
    const b = new SliBounds([bound('search', 100)]);
    expect(b.isGood(req(0, 100))).toBe(true);
    expect(b.isGood(req(0, 101))).toBe(false);
    expect(b.isGood(req(0, 5, true))).toBe(false);
    expect(b.isGood(req(0, 900, false, 'book'))).toBe(true);
  });
});

describe('goodBySecond', () => {
  const requests = [
    req(100, 5),
    req(400, 1500),
    req(700, 5, true),
    req(1_100, 150, false, 'price'),
    req(1_600, 2_000, false, 'price'),
  ];
  const bounds = new SliBounds([bound('price', 1000)]);

  it('from the requests: each judged by its own endpoint bound, by second of intended start', () => {
    const g = goodBySecond({ metrics: null, requests }, '*', bounds);
    expect(g.from).toBe('requests');
    expect(g.bySec.get(0)).toEqual({ count: 3, errors: 1, slow: 1, bad: 2 });
    expect(g.bySec.get(1)).toEqual({ count: 2, errors: 0, slow: 1, bad: 1 });
    expect(goodBySecond({ metrics: null, requests }, 'price', bounds).bySec.get(0)).toBeUndefined();
    expect(goodIn(g, [{ startMs: 0, endMs: 2000 }])).toEqual({ count: 5, errors: 1, slow: 2, bad: 3 });
    expect(goodIn(g, [{ startMs: 1000, endMs: 2000 }]).count).toBe(2);
  });

  it('counts a second only when it lies wholly inside a range: one cut by a fault belongs to neither side', () => {
    const g = goodBySecond({ metrics: null, requests }, '*', bounds);
    // A fault that began 1 ms into second 1: second 1 is neither steady nor fault.
    expect(goodIn(g, [{ startMs: 0, endMs: 1001 }]).count).toBe(3);
    expect(goodIn(g, [{ startMs: 1001, endMs: 5000 }]).count).toBe(0);
    expect(goodIn(g, [{ startMs: 0, endMs: 999 }]).count).toBe(0);
  });

  it('from the windows when the run kept no requests: slow answers read from the histograms', () => {
    const metrics = [
      win(0, 10, 1, { tag: 'search', latencyMs: [5, 5, 5, 5, 5, 5, 5, 1500, 1500, 5] }),
      win(0, 4, 0, { tag: 'price', latencyMs: [5, 5, 5, 5] }),
      win(0, 14, 1),
    ];
    const g = goodBySecond({ metrics }, '*', bounds);
    expect(g.from).toBe('windows');
    expect(g.bySec.get(0)).toEqual({ count: 14, errors: 1, slow: 2, bad: 3 });
    expect(goodBySecond({ metrics }, 'search', bounds).bySec.get(0)?.bad).toBe(3);
  });

  it('a run with only * windows is judged by the * bound', () => {
    const g = goodBySecond({ metrics: [win(3, 4, 0, { latencyMs: [5, 5, 5, 2000] })] }, '*', bounds);
    expect(g.bySec.get(3)).toEqual({ count: 4, errors: 0, slow: 1, bad: 1 });
  });
});

describe('countAboveMs', () => {
  it('counts the values above a bound to within the histogram precision', () => {
    const us = [...Array(990).fill(10_000), ...Array(10).fill(2_000_000)];
    expect(countAboveMs(encodeLatenciesUs(us), 1000)).toBe(10);
    expect(countAboveMs(encodeLatenciesUs(us), 5000)).toBe(0);
    expect(countAboveMs(encodeLatenciesUs(us), 5)).toBe(1000);
    expect(countAboveMs('', 5)).toBe(0);
  });
});
