import { build, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';
import type { LatencyWindow } from '../lib/run-format.ts';
import type { K6Point } from './k6-points.ts';
import { type K6Options, scenarioDurationSec, scenarioRateAt } from './profiles.ts';

/**
 * Folds k6 points into per-second, per-`endpoint`-tag HDR histograms (LatencyWindow).
 *
 * Latency is k6's `http_req_duration` (sending + waiting + receiving, in ms; recorded here in
 * µs). With arrival-rate executors k6 starts each iteration at its scheduled time whatever the
 * previous responses took, so a slow system does not slow the generator down and hide its own
 * latency (no coordinated omission) — as long as a VU is free. When none is, k6 does not queue
 * the iteration: it drops it and counts `dropped_iterations`. Those requests are never measured,
 * so a run with dropped iterations is invalid (verdict unknown). `http_req_duration` excludes
 * `http_req_blocked`/`http_req_connecting` (waiting for a connection): with keep-alive that is
 * ~0, but on reconnect storms it is time the user would have waited that is not counted here.
 */

export const HDR = {
  lowestDiscernibleValue: 1,
  highestTrackableValue: 60_000_000,
  numberOfSignificantValueDigits: 3,
} as const;

export const ALL_TAG = '*';
/** Tag value for requests without an `endpoint` tag. */
export const UNTAGGED = 'untagged';

export function newHistogram(): Histogram {
  return build({ ...HDR, autoResize: false });
}

/** ms (k6) → µs, clamped into the histogram's trackable range. */
export function toMicros(ms: number): number {
  const us = Math.round(ms * 1000);
  return Math.min(Math.max(us, 0), HDR.highestTrackableValue);
}

/**
 * A request failed when k6 marked it unexpected (`expected_response:false`, i.e. http_req_failed
 * = 1; the script's responseCallback decides, e.g. 404 is expected on `reservation-get`) or it got
 * no status at all (status 0: timeout, reset, refused). Without the tag: status >= 400 or 0.
 */
export function isError(tags: Record<string, string>): boolean {
  const status = Number(tags.status ?? '0');
  if (!(status > 0)) return true;
  const expected = tags.expected_response;
  if (expected !== undefined) return expected === 'false';
  return status >= 400;
}

interface Cell {
  count: number;
  errors: number;
  hist: Histogram;
}

export interface TagTotals {
  tag: string;
  count: number;
  errors: number;
  /** Latency percentiles in ms, from the merged HDR histogram (null when count is 0). */
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
}

export interface FoldOptions {
  /**
   * Epoch ms of second 0 (the run's start). Default: k6's schedule start, from the script's
   * `ws_schedule_start` gauge (or the first point, if the script does not emit it).
   */
  runStartEpochMs?: number;
  /** The k6 config the run used; gives `intendedRate` on `*` windows. */
  options?: K6Options;
  /** Seconds a window stays open for late points before it is emitted (k6 flushes ~1 s). */
  lateSec?: number;
  /**
   * Which second a request belongs to: `completion` (k6's point time, the default) or `issue`
   * (point time minus its duration: when the request was sent). Per-second SLIs (RTO) use
   * `issue`, so a request sent during an outage counts against the outage even when it times out
   * after recovery. With `issue`, lateSec must cover the request timeout.
   */
  bin?: 'completion' | 'issue';
}

export class PointFolder {
  private runStart: number | null;
  private scheduleStart: number | null = null;
  private readonly pending: K6Point[] = [];
  private readonly open = new Map<number, Map<string, Cell>>();
  private readonly dropped = new Map<number, number>();
  private readonly totals = new Map<string, Cell>();
  private droppedTotal = 0;
  /** Next second to emit; everything below it has been emitted. */
  private nextSec: number | null = null;
  private maxSec = -1;
  private lastPointMs = 0;
  /** Points that fell into an already emitted second (counted in totals, not in windows). */
  latePoints = 0;
  points = 0;
  private readonly lateSec: number;

  constructor(private readonly opts: FoldOptions = {}) {
    this.runStart = opts.runStartEpochMs ?? null;
    this.lateSec = opts.lateSec ?? 2;
  }

  add(p: K6Point): void {
    this.points++;
    if (p.metric === 'ws_schedule_start') {
      this.scheduleStart = this.scheduleStart === null ? p.value : Math.min(this.scheduleStart, p.value);
      if (this.runStart === null) {
        this.runStart = this.scheduleStart;
        for (const q of this.pending.splice(0)) this.place(q);
      }
      return;
    }
    if (this.runStart === null) {
      this.pending.push(p);
      // A script without the marker: fall back to the earliest point after a little buffering.
      if (this.pending.length > 10_000) this.startFromPending();
      return;
    }
    this.place(p);
  }

  private startFromPending(): void {
    if (this.runStart !== null || this.pending.length === 0) return;
    this.runStart = Math.min(...this.pending.map((q) => q.epochMs));
    for (const q of this.pending.splice(0)) this.place(q);
  }

  private place(p: K6Point): void {
    const start = this.runStart as number;
    const at =
      this.opts.bin === 'issue' && p.metric === 'http_req_duration' ? p.epochMs - p.value : p.epochMs;
    const sec = Math.max(0, Math.floor((at - start) / 1000));
    if (p.epochMs > this.lastPointMs) this.lastPointMs = p.epochMs;
    if (this.nextSec === null) this.nextSec = 0;
    const late = sec < this.nextSec;
    if (late) this.latePoints++;
    if (p.metric === 'dropped_iterations') {
      this.droppedTotal += p.value;
      if (!late) this.dropped.set(sec, (this.dropped.get(sec) ?? 0) + p.value);
      this.maxSec = Math.max(this.maxSec, sec);
      return;
    }
    const tag = p.tags.endpoint ?? UNTAGGED;
    const us = toMicros(p.value);
    const err = isError(p.tags);
    for (const t of [tag, ALL_TAG]) {
      record(cellOf(this.totals, t), us, err);
      if (!late) {
        let row = this.open.get(sec);
        if (!row) {
          row = new Map();
          this.open.set(sec, row);
        }
        record(cellOf(row, t), us, err);
      }
    }
    this.maxSec = Math.max(this.maxSec, sec);
  }

  /** Epoch ms of second 0, once known. */
  get startEpochMs(): number | null {
    return this.runStart;
  }

  /** Windows of every second that is at least `lateSec` older than the newest point. */
  drain(): LatencyWindow[] {
    if (this.runStart === null || this.nextSec === null) return [];
    const newest = Math.floor((this.lastPointMs - this.runStart) / 1000);
    return this.emitUpTo(newest - this.lateSec);
  }

  /** Windows of every second still open, through the end of the schedule. */
  finish(): LatencyWindow[] {
    this.startFromPending();
    if (this.runStart === null) return [];
    if (this.nextSec === null) this.nextSec = 0;
    return this.emitUpTo(Math.max(this.maxSec, this.scheduleEndSec() - 1));
  }

  /** Last second (exclusive) the schedule covers, in run seconds; 0 without options. */
  private scheduleEndSec(): number {
    const o = this.opts.options;
    if (!o || this.runStart === null) return 0;
    const offset = ((this.scheduleStart ?? this.runStart) - this.runStart) / 1000;
    const end = Math.max(0, ...Object.values(o.scenarios).map(scenarioDurationSec));
    return Math.ceil(offset + end);
  }

  /**
   * Requests the schedule asks for in second `sec` of the run: the rate integrated over that
   * second in schedule time (10 steps), so the partial seconds where k6's schedule starts and
   * ends ask for their part, not a whole second's worth.
   */
  intendedRate(sec: number): number | undefined {
    const o = this.opts.options;
    if (!o || this.runStart === null) return undefined;
    const a = (this.runStart + sec * 1000 - (this.scheduleStart ?? this.runStart)) / 1000;
    let sum = 0;
    for (let k = 0; k < 10; k++)
      for (const s of Object.values(o.scenarios)) sum += scenarioRateAt(s, a + (k + 0.5) / 10) / 10;
    return Math.round(sum * 1000) / 1000;
  }

  private emitUpTo(lastSec: number): LatencyWindow[] {
    const out: LatencyWindow[] = [];
    if (this.nextSec === null) return out;
    for (let sec = this.nextSec; sec <= lastSec; sec++) {
      const row = this.open.get(sec) ?? new Map<string, Cell>();
      this.open.delete(sec);
      const all = row.get(ALL_TAG) ?? { count: 0, errors: 0, hist: newHistogram() };
      const star: LatencyWindow = {
        sec,
        tag: ALL_TAG,
        count: all.count,
        errors: all.errors,
        hdr: encodeIntoCompressedBase64(all.hist),
        droppedIterations: this.dropped.get(sec) ?? 0,
      };
      const intended = this.intendedRate(sec);
      if (intended !== undefined) star.intendedRate = intended;
      this.dropped.delete(sec);
      out.push(star);
      for (const [tag, c] of [...row.entries()].sort(([a], [b]) => a.localeCompare(b))) {
        if (tag === ALL_TAG) continue;
        out.push({ sec, tag, count: c.count, errors: c.errors, hdr: encodeIntoCompressedBase64(c.hist) });
      }
    }
    this.nextSec = Math.max(this.nextSec, lastSec + 1);
    return out;
  }

  /** Whole-run totals per tag (including `*`), late points included. */
  tagTotals(): TagTotals[] {
    return [...this.totals.entries()]
      .sort(([a], [b]) => (a === ALL_TAG ? -1 : b === ALL_TAG ? 1 : a.localeCompare(b)))
      .map(([tag, c]) => ({
        tag,
        count: c.count,
        errors: c.errors,
        p50Ms: c.count ? c.hist.getValueAtPercentile(50) / 1000 : null,
        p95Ms: c.count ? c.hist.getValueAtPercentile(95) / 1000 : null,
        p99Ms: c.count ? c.hist.getValueAtPercentile(99) / 1000 : null,
        maxMs: c.count ? c.hist.maxValue / 1000 : null,
      }));
  }

  /** Merged histogram of one tag over the whole run (µs), for callers that need more. */
  histogramOf(tag: string): Histogram | undefined {
    return this.totals.get(tag)?.hist;
  }

  get droppedIterations(): number {
    return this.droppedTotal;
  }
}

function cellOf(m: Map<string, Cell>, tag: string): Cell {
  let c = m.get(tag);
  if (!c) {
    c = { count: 0, errors: 0, hist: newHistogram() };
    m.set(tag, c);
  }
  return c;
}

function record(c: Cell, us: number, err: boolean): void {
  c.count++;
  if (err) c.errors++;
  c.hist.recordValue(us);
}
