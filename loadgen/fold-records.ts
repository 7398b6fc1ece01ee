import { build, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';
import type { LatencyWindow } from '../lib/run-format.ts';
import { arrivalsBetween, type LoadPlan, planLengthSec } from './load-plan.ts';
import { isErrorRecord, latencyUs, type RequestRecord } from './request-record.ts';

/**
 * Folds request records (any engine's) into per-second, per-endpoint HDR histograms
 * (LatencyWindow). Latency counts from each request's intended start (the open model's arrival
 * time), so an engine that sends late cannot hide the wait (no coordinated omission); the engine's
 * lateness itself is kept apart (`lag`) and judged by the validity check. Arrivals the engine
 * never sent are counted per second as `droppedIterations` (k6's word, kept in the stored format).
 */

export const HDR = {
  lowestDiscernibleValue: 1,
  highestTrackableValue: 60_000_000,
  numberOfSignificantValueDigits: 3,
} as const;

export const ALL_TAG = '*';
/**
 * A send more than this after its intended start is late (µs). 100 ms keeps where a request is
 * placed in time well inside the RTO resolution claimed (5 % of a 3 s outage); what lateness
 * there is counts in the latency, which runs from the intended start.
 */
export const LATE_LAG_US = 100_000;
/** Tag value for requests without an `endpoint` tag. */
export const UNTAGGED = 'untagged';

export function newHistogram(): Histogram {
  return build({ ...HDR, autoResize: false });
}

/** µs clamped into the histogram's trackable range. */
export function clampMicros(us: number): number {
  return Math.min(Math.max(Math.round(us), 0), HDR.highestTrackableValue);
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
  /** Epoch ms of run second 0. */
  runStartEpochMs: number;
  /** Epoch ms at which the plan's schedule starts (default: run second 0). */
  scheduleStartEpochMs?: number;
  /** The plan the engine ran; gives `intendedRate` on `*` windows and the schedule's end. */
  plan?: LoadPlan;
  /** Seconds a window stays open for late records before it is emitted. */
  lateSec?: number;
  /**
   * Which second a request belongs to: `issue` (its intended start, the default: a request sent
   * during an outage counts against the outage even when it times out after recovery; lateSec
   * must then cover the request timeout) or `completion` (the live progress line).
   */
  bin?: 'completion' | 'issue';
  /** A request sent later than this after its intended start is late (µs). */
  lateLagUs?: number;
}

export class RecordFolder {
  private readonly runStart: number;
  private scheduleStart: number;
  private readonly open = new Map<number, Map<string, Cell>>();
  private readonly dropped = new Map<number, number>();
  private readonly totals = new Map<string, Cell>();
  private readonly lag = newHistogram();
  private droppedTotal = 0;
  /** Next second to emit; everything below it has been emitted. */
  private nextSec = 0;
  private maxSec = -1;
  private newestMs = 0;
  private readonly lateSec: number;
  private readonly lateLagUs: number;
  /** Records that fell into an already emitted second (counted in totals, not in windows). */
  lateRecords = 0;
  records = 0;
  /** Records sent more than `lateLagUs` after their intended start. */
  lateSends = 0;

  constructor(private readonly opts: FoldOptions) {
    this.runStart = opts.runStartEpochMs;
    this.scheduleStart = opts.scheduleStartEpochMs ?? opts.runStartEpochMs;
    this.lateSec = opts.lateSec ?? 2;
    this.lateLagUs = opts.lateLagUs ?? LATE_LAG_US;
  }

  add(r: RequestRecord): void {
    this.records++;
    const intendedMs = r.intended_us / 1000;
    const lat = latencyUs(r);
    const at = this.opts.bin === 'completion' ? intendedMs + lat / 1000 : intendedMs;
    const sec = Math.max(0, Math.floor((at - this.runStart) / 1000));
    const doneMs = intendedMs + lat / 1000;
    if (doneMs > this.newestMs) this.newestMs = doneMs;
    this.lag.recordValue(clampMicros(r.lag_us));
    if (r.lag_us > this.lateLagUs) this.lateSends++;
    const late = sec < this.nextSec;
    if (late) this.lateRecords++;
    const us = clampMicros(lat);
    const err = isErrorRecord(r);
    for (const t of [r.endpoint, ALL_TAG]) {
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

  /** `n` arrivals due at `epochMs` that the engine never sent. */
  addUnsent(epochMs: number, n: number): void {
    if (n <= 0) return;
    const sec = Math.max(0, Math.floor((epochMs - this.runStart) / 1000));
    this.droppedTotal += n;
    if (sec >= this.nextSec) this.dropped.set(sec, (this.dropped.get(sec) ?? 0) + n);
    this.maxSec = Math.max(this.maxSec, sec);
  }

  /** Tells the folder the clock has reached `epochMs` even when no record arrived. */
  advance(epochMs: number): void {
    if (epochMs > this.newestMs) this.newestMs = epochMs;
  }

  /** The schedule's real start, once the engine reports it (k6 starts ~1 s after launch). */
  setScheduleStart(epochMs: number): void {
    this.scheduleStart = epochMs;
  }

  get startEpochMs(): number {
    return this.runStart;
  }

  /** Windows of every second that is at least `lateSec` older than the newest record. */
  drain(): LatencyWindow[] {
    if (this.newestMs === 0) return [];
    const newest = Math.floor((this.newestMs - this.runStart) / 1000);
    return this.emitUpTo(newest - this.lateSec);
  }

  /** Windows of every second still open, through the end of the schedule. */
  finish(): LatencyWindow[] {
    return this.emitUpTo(Math.max(this.maxSec, this.scheduleEndSec() - 1));
  }

  /** Last second (exclusive) the schedule covers, in run seconds; 0 without a plan. */
  private scheduleEndSec(): number {
    const p = this.opts.plan;
    if (!p) return 0;
    return Math.ceil((this.scheduleStart - this.runStart) / 1000 + planLengthSec(p));
  }

  /** Arrivals the plan has due in run second `sec` (as the engine sends them: whole arrivals). */
  intendedRate(sec: number): number | undefined {
    const p = this.opts.plan;
    if (!p) return undefined;
    const a = (this.runStart + sec * 1000 - this.scheduleStart) / 1000;
    const v = arrivalsBetween(p, a, a + 1);
    return Math.round(v * 1000) / 1000;
  }

  private emitUpTo(lastSec: number): LatencyWindow[] {
    const out: LatencyWindow[] = [];
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

  /** Arrivals the engine never sent. */
  get droppedIterations(): number {
    return this.droppedTotal;
  }

  /** Send lag (actual minus intended start) at percentile `p` over all records, µs; null when none. */
  lagPercentileUs(p: number): number | null {
    return this.lag.totalCount > 0 ? this.lag.getValueAtPercentile(p) : null;
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
