import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { decodeFromCompressedBase64 } from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import type { LatencyWindow } from '../lib/run-format.ts';
import { ALL_TAG, isError, PointFolder, toMicros } from './fold-points.ts';
import { parsePointLine } from './k6-points.ts';
import { readK6Summary } from './k6-summary.ts';
import { type K6Options, k6OptionsFor } from './profiles.ts';

/** Fixtures recorded by the real k6 v2.2.0 (loadgen/fixtures/record-fixtures.ts). */
function fixture(name: string) {
  const dir = new URL(`./fixtures/${name}/`, import.meta.url);
  const lines = gunzipSync(readFileSync(new URL('k6-points.jsonl.gz', dir)))
    .toString('utf8')
    .split('\n');
  const options = JSON.parse(readFileSync(new URL('k6-config.json', dir), 'utf8')) as K6Options;
  const summary = readK6Summary(JSON.parse(readFileSync(new URL('k6-summary.json', dir), 'utf8')));
  return { lines: lines.filter((l) => l.length > 0), options, summary };
}

function foldAll(name: string, chunk = Number.POSITIVE_INFINITY) {
  const fx = fixture(name);
  const folder = new PointFolder({ options: fx.options });
  const windows: LatencyWindow[] = [];
  fx.lines.forEach((l, i) => {
    const p = parsePointLine(l);
    if (p) folder.add(p);
    if ((i + 1) % chunk === 0) windows.push(...folder.drain());
  });
  windows.push(...folder.finish());
  return { ...fx, folder, windows };
}

/** The two order statistics k6 interpolates p(95) between, in ms. */
function k6P95Neighbours(lines: string[], tag: string): [number, number] {
  const xs = lines
    .map(parsePointLine)
    .filter((p) => p?.metric === 'http_req_duration' && (tag === ALL_TAG || p.tags.endpoint === tag))
    .map((p) => p!.value)
    .sort((a, b) => a - b);
  const i = 0.95 * (xs.length - 1);
  return [xs[Math.floor(i)]!, xs[Math.ceil(i)]!];
}

describe('PointFolder on real k6 output', () => {
  it('counts per tag equal k6 summary counts exactly (steady)', () => {
    const { folder, summary } = foldAll('steady');
    const totals = folder.tagTotals();
    expect(totals[0]?.tag).toBe(ALL_TAG);
    expect(totals[0]?.count).toBe(summary.httpReqs);
    const endpoints = Object.keys(summary.byEndpoint);
    expect(endpoints.sort()).toEqual(['book', 'price', 'reservation-get', 'reserve', 'search']);
    for (const e of endpoints)
      expect(totals.find((t) => t.tag === e)?.count, e).toBe(summary.byEndpoint[e]?.count);
    expect(totals[0]?.errors).toBe(summary.failedRequests);
    expect(folder.droppedIterations).toBe(summary.droppedIterations);
  });

  it('p95 agrees with k6 within HDR precision (3 digits) and k6 interpolation', () => {
    const { folder, summary, lines } = foldAll('steady');
    const check = (tag: string, k6p95: number | null) => {
      const ours = folder.tagTotals().find((t) => t.tag === tag)?.p95Ms;
      const [lo, hi] = k6P95Neighbours(lines, tag);
      expect(k6p95).not.toBeNull();
      expect(k6p95!).toBeGreaterThanOrEqual(lo);
      expect(k6p95!).toBeLessThanOrEqual(hi);
      // HDR reports the highest value equivalent to the ranked sample: <= 0.1 % above it, µs-rounded.
      expect(ours!).toBeGreaterThanOrEqual(lo * (1 - 1e-3) - 0.001);
      expect(ours!).toBeLessThanOrEqual(hi * (1 + 1e-3) + 0.001);
    };
    check(ALL_TAG, summary.p95Ms);
    check('search', summary.byEndpoint.search?.p95Ms ?? null);
    check('price', summary.byEndpoint.price?.p95Ms ?? null);
  });

  it('per-second windows add up to the totals and carry intendedRate on *', () => {
    const { windows, summary, options } = foldAll('steady');
    const stars = windows.filter((w) => w.tag === ALL_TAG);
    expect(stars.reduce((a, w) => a + w.count, 0)).toBe(summary.httpReqs);
    const tags = windows.filter((w) => w.tag === 'search');
    expect(tags.reduce((a, w) => a + w.count, 0)).toBe(summary.byEndpoint.search?.count);
    const rate = Object.values(options.scenarios).reduce(
      (a, s) => a + (s.executor === 'constant-arrival-rate' ? s.rate : 0),
      0,
    );
    expect(stars[0]?.intendedRate).toBe(rate);
    expect(stars.map((w) => w.sec)).toEqual(stars.map((_, i) => i));
    for (const w of stars) {
      const h = decodeFromCompressedBase64(w.hdr);
      expect(h.totalCount).toBe(w.count);
    }
    expect(windows.every((w) => w.tag === ALL_TAG || w.intendedRate === undefined)).toBe(true);
  });

  it('dropped iterations and failures match k6 (degraded)', () => {
    const { folder, windows, summary } = foldAll('degraded');
    expect(summary.droppedIterations).toBeGreaterThan(0);
    expect(summary.failedRequests).toBeGreaterThan(0);
    expect(folder.droppedIterations).toBe(summary.droppedIterations);
    const stars = windows.filter((w) => w.tag === ALL_TAG);
    expect(stars.reduce((a, w) => a + (w.droppedIterations ?? 0), 0)).toBe(summary.droppedIterations);
    expect(stars.reduce((a, w) => a + w.errors, 0)).toBe(summary.failedRequests);
    expect(folder.tagTotals()[0]?.count).toBe(summary.httpReqs);
    const price = folder.tagTotals().find((t) => t.tag === 'price');
    expect(price?.errors).toBe(price?.count);
  });

  it('streaming with drains keeps every point (late ones in totals only)', () => {
    const { folder, windows, summary } = foldAll('steady', 97);
    const stars = windows.filter((w) => w.tag === ALL_TAG);
    expect(stars.reduce((a, w) => a + w.count, 0) + folder.latePoints).toBe(summary.httpReqs);
    expect(folder.tagTotals()[0]?.count).toBe(summary.httpReqs);
  });
});

describe('PointFolder pure behaviour', () => {
  const point = (ms: number, value: number, tags: Record<string, string>) => ({
    metric: 'http_req_duration' as const,
    epochMs: ms,
    value,
    tags,
  });

  it('bins by run start and emits empty seconds for the whole schedule', () => {
    const options: K6Options = {
      scenarios: {
        s: {
          executor: 'constant-arrival-rate',
          exec: 'search',
          rate: 10,
          timeUnit: '1s',
          duration: '3s',
          preAllocatedVUs: 1,
          maxVUs: 1,
          gracefulStop: '1s',
          tags: {},
        },
      },
      discardResponseBodies: true,
      systemTags: [],
      summaryTrendStats: [],
      thresholds: {},
    };
    const f = new PointFolder({ runStartEpochMs: 10_000, options });
    f.add({ metric: 'ws_schedule_start', epochMs: 10_000, value: 10_000, tags: {} });
    f.add(point(10_100, 5, { endpoint: 'search', status: '200', expected_response: 'true' }));
    f.add(point(10_200, 7, { endpoint: 'search', status: '0', expected_response: 'false' }));
    f.add({ metric: 'dropped_iterations', epochMs: 12_500, value: 1, tags: {} });
    const ws = f.finish();
    const stars = ws.filter((w) => w.tag === ALL_TAG);
    expect(stars.map((w) => [w.sec, w.count, w.errors, w.droppedIterations, w.intendedRate])).toEqual([
      [0, 2, 1, 0, 10],
      [1, 0, 0, 0, 10],
      [2, 0, 0, 1, 10],
    ]);
    const h = decodeFromCompressedBase64(ws.find((w) => w.tag === 'search')!.hdr);
    expect(h.maxValue).toBeGreaterThanOrEqual(7000);
    expect(h.maxValue).toBeLessThan(7010);
  });

  it('with bin: issue, a request that timed out after recovery counts in the second it was sent', () => {
    const f = new PointFolder({ runStartEpochMs: 0, bin: 'issue', lateSec: 12 });
    // Sent at 20.5 s into a pause, timed out 10 s later; sent at 31.2 s, answered in 5 ms.
    f.add(point(30_500, 10_000, { endpoint: 'search', status: '0', expected_response: 'false' }));
    f.add(point(31_205, 5, { endpoint: 'search', status: '200', expected_response: 'true' }));
    f.add({ metric: 'dropped_iterations', epochMs: 30_700, value: 1, tags: {} });
    // Newest point at 31 s and 12 s of lateness: seconds 0-19 are final (and empty), 20 is not.
    expect(f.drain().map((w) => [w.sec, w.count])).toEqual(Array.from({ length: 20 }, (_, i) => [i, 0]));
    const stars = f.finish().filter((w) => w.tag === ALL_TAG && (w.count > 0 || w.droppedIterations));
    expect(stars.map((w) => [w.sec, w.count, w.errors, w.droppedIterations])).toEqual([
      [20, 1, 1, 0],
      [30, 0, 0, 1],
      [31, 1, 0, 0],
    ]);
  });

  it('aligns intendedRate to the schedule when the run started earlier', () => {
    const options = k6OptionsFor({ preset: 'peak', durationSec: 2 }, 0.01);
    const f = new PointFolder({ runStartEpochMs: 9_000, options });
    f.add({ metric: 'ws_schedule_start', epochMs: 10_000, value: 10_000, tags: {} });
    f.add(point(10_100, 5, { endpoint: 'search', status: '200', expected_response: 'true' }));
    const stars = f.finish().filter((w) => w.tag === ALL_TAG);
    expect(stars.map((w) => [w.sec, w.count, w.intendedRate])).toEqual([
      [0, 0, 0],
      [1, 1, 51],
      [2, 0, 51],
    ]);
  });

  it('a second the schedule covers only in part asks for that part of the rate', () => {
    const options = k6OptionsFor({ preset: 'peak', durationSec: 2 }, 0.01);
    const f = new PointFolder({ runStartEpochMs: 10_000, options });
    f.add({ metric: 'ws_schedule_start', epochMs: 10_500, value: 10_500, tags: {} });
    expect([0, 1, 2, 3].map((s) => f.intendedRate(s))).toEqual([25.5, 51, 25.5, 0]);
  });

  it('classifies errors by expected_response, else status', () => {
    expect(isError({ status: '200', expected_response: 'true' })).toBe(false);
    expect(isError({ status: '404', expected_response: 'true' })).toBe(false);
    expect(isError({ status: '503', expected_response: 'false' })).toBe(true);
    expect(isError({ status: '0' })).toBe(true);
    expect(isError({ status: '500' })).toBe(true);
    expect(isError({ status: '201' })).toBe(false);
  });

  it('records ms as clamped microseconds', () => {
    expect(toMicros(1.2345)).toBe(1235);
    expect(toMicros(120_000)).toBe(60_000_000);
    expect(toMicros(-1)).toBe(0);
  });
});
