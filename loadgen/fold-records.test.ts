import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { decodeFromCompressedBase64 } from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import type { LatencyWindow } from '../lib/run-format.ts';
import { ALL_TAG, clampMicros, RecordFolder } from './fold-records.ts';
import { parsePointLine } from './k6-points.ts';
import { readK6Summary } from './k6-summary.ts';
import type { LoadPlan } from './load-plan.ts';
import { type K6Options, k6ConfigFor, loadPlanFor } from './profiles.ts';
import { type RequestRecord, recordFromK6Point } from './request-record.ts';

/** Fixtures recorded by the real k6 v2.2.0 (loadgen/fixtures/record-fixtures.ts) from these plans. */
const PLANS: Record<string, LoadPlan> = {
  steady: loadPlanFor({ preset: 'peak', durationSec: 2 }, 0.1),
  degraded: loadPlanFor({ preset: 'peak', durationSec: 2 }, 0.02),
};

function fixture(name: string) {
  const dir = new URL(`./fixtures/${name}/`, import.meta.url);
  const lines = gunzipSync(readFileSync(new URL('k6-points.jsonl.gz', dir)))
    .toString('utf8')
    .split('\n')
    .filter((l) => l.length > 0);
  const config = JSON.parse(readFileSync(new URL('k6-config.json', dir), 'utf8')) as K6Options;
  const summary = readK6Summary(JSON.parse(readFileSync(new URL('k6-summary.json', dir), 'utf8')));
  return { lines, config, summary, plan: PLANS[name]! };
}

/** What the k6 engine does with each line: records, dropped iterations, the schedule's start. */
function foldAll(name: string, chunk = Number.POSITIVE_INFINITY) {
  const fx = fixture(name);
  const points = fx.lines.map(parsePointLine);
  const start = points.find((p) => p?.metric === 'ws_schedule_start')!.value;
  const folder = new RecordFolder({ runStartEpochMs: start, plan: fx.plan, bin: 'completion' });
  const windows: LatencyWindow[] = [];
  points.forEach((p, i) => {
    if (p?.metric === 'http_req_duration') folder.add(recordFromK6Point(p));
    if (p?.metric === 'dropped_iterations') folder.addUnsent(p.epochMs, p.value);
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

describe('RecordFolder on real k6 output (the k6 engine)', () => {
  it('the fixtures were recorded from the plans k6ConfigFor renders', () => {
    for (const name of ['steady', 'degraded']) {
      const { config, plan } = fixture(name);
      const ours = k6ConfigFor(plan);
      for (const [k, s] of Object.entries(ours.scenarios)) {
        const theirs = config.scenarios[k];
        expect(theirs?.executor, `${name} ${k}`).toBe(s.executor);
        if (s.executor === 'constant-arrival-rate' && theirs?.executor === 'constant-arrival-rate')
          expect([theirs.rate, theirs.duration]).toEqual([s.rate, s.duration]);
      }
    }
  });

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
    const { windows, summary, plan } = foldAll('steady');
    const stars = windows.filter((w) => w.tag === ALL_TAG);
    expect(stars.reduce((a, w) => a + w.count, 0)).toBe(summary.httpReqs);
    const tags = windows.filter((w) => w.tag === 'search');
    expect(tags.reduce((a, w) => a + w.count, 0)).toBe(summary.byEndpoint.search?.count);
    expect(stars[0]?.intendedRate).toBe(plan.flows.reduce((a, f) => a + f.startRate, 0));
    expect(stars.map((w) => w.sec)).toEqual(stars.map((_, i) => i));
    for (const w of stars) expect(decodeFromCompressedBase64(w.hdr).totalCount).toBe(w.count);
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

  it('streaming with drains keeps every record (late ones in totals only)', () => {
    const { folder, windows, summary } = foldAll('steady', 97);
    const stars = windows.filter((w) => w.tag === ALL_TAG);
    expect(stars.reduce((a, w) => a + w.count, 0) + folder.lateRecords).toBe(summary.httpReqs);
    expect(folder.tagTotals()[0]?.count).toBe(summary.httpReqs);
  });
});

describe('RecordFolder pure behaviour', () => {
  const rec = (
    intendedMs: number,
    durationMs: number,
    status: number,
    lagMs = 0,
    endpoint = 'search',
  ): RequestRecord => ({
    endpoint,
    intended_us: intendedMs * 1000,
    lag_us: lagMs * 1000,
    duration_us: durationMs * 1000,
    status,
  });
  const plan = (rate: number, sec: number): LoadPlan => ({
    flows: [{ name: 'search', startRate: rate, stages: [{ target: rate, durationSec: sec }] }],
    timeoutSec: 10,
    seed: 1,
  });

  it('bins by intended start, emits empty seconds for the whole schedule, and counts unsent arrivals', () => {
    const f = new RecordFolder({ runStartEpochMs: 10_000, plan: plan(10, 3) });
    f.add(rec(10_100, 5, 200));
    f.add(rec(10_200, 7, 0));
    f.addUnsent(12_500, 1);
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

  it('latency counts from the intended start: a late send is charged, and counted as late', () => {
    const f = new RecordFolder({ runStartEpochMs: 0 });
    f.add(rec(100, 5, 200, 140));
    f.add(rec(200, 5, 200, 40));
    expect(f.tagTotals()[0]?.maxMs).toBeCloseTo(145, 0);
    expect(f.lateSends).toBe(1);
    expect(f.lagPercentileUs(100)).toBeGreaterThanOrEqual(140_000);
    const strict = new RecordFolder({ runStartEpochMs: 0, lateLagUs: 10_000 });
    strict.add(rec(200, 5, 200, 40));
    expect(strict.lateSends).toBe(1);
  });

  it('a request that timed out after recovery counts in the second it was due', () => {
    const f = new RecordFolder({ runStartEpochMs: 0, lateSec: 12 });
    // Due at 20.5 s into a pause, timed out 10 s later; due at 31.2 s, answered in 5 ms.
    f.add(rec(20_500, 10_000, 0));
    f.add(rec(31_200, 5, 200));
    f.addUnsent(30_700, 1);
    // Newest answer at 31.2 s and 12 s of lateness: seconds 0-19 are final (and empty).
    expect(f.drain().map((w) => [w.sec, w.count])).toEqual(Array.from({ length: 20 }, (_, i) => [i, 0]));
    const stars = f.finish().filter((w) => w.tag === ALL_TAG && (w.count > 0 || w.droppedIterations));
    expect(stars.map((w) => [w.sec, w.count, w.errors, w.droppedIterations])).toEqual([
      [20, 1, 1, 0],
      [30, 0, 0, 1],
      [31, 1, 0, 0],
    ]);
  });

  it('aligns intendedRate to the schedule when the run started earlier, and counts whole arrivals in a partial second', () => {
    const f = new RecordFolder({ runStartEpochMs: 9_000, scheduleStartEpochMs: 10_000, plan: plan(51, 2) });
    f.add(rec(10_100, 5, 200));
    expect(
      f
        .finish()
        .filter((w) => w.tag === ALL_TAG)
        .map((w) => [w.sec, w.count, w.intendedRate]),
    ).toEqual([
      [0, 0, 0],
      [1, 1, 51],
      [2, 0, 51],
    ]);
    const g = new RecordFolder({ runStartEpochMs: 10_000, scheduleStartEpochMs: 10_500, plan: plan(51, 2) });
    // 102 arrivals 1/51 s apart from 0.5 s: 26 in the first run second, then 51, then the last 25.
    expect([0, 1, 2, 3].map((s) => g.intendedRate(s))).toEqual([26, 51, 25, 0]);
  });

  it('completion binning places a request where it ended', () => {
    const f = new RecordFolder({ runStartEpochMs: 0, bin: 'completion' });
    f.add(rec(900, 300, 200));
    expect(
      f
        .finish()
        .filter((w) => w.tag === ALL_TAG && w.count > 0)
        .map((w) => w.sec),
    ).toEqual([1]);
  });

  it('records µs clamped into the histogram range', () => {
    expect(clampMicros(1234.6)).toBe(1235);
    expect(clampMicros(120_000_000)).toBe(60_000_000);
    expect(clampMicros(-1)).toBe(0);
  });
});
