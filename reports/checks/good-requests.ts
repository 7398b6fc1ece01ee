import { decodeFromCompressedBase64 } from 'hdr-histogram-js';
import type { LatencyWindow } from '../../lib/run-format.ts';
import { DEFAULT_BOUND_MS, type LatencyBound } from '../../lib/slo.ts';
import type { RequestSample } from './request-samples.ts';
import { type Range, secondIn } from './run-windows.ts';

const ALL = '*';

/** One endpoint's latency bound and where it came from (for details). */
export interface Bound {
  maxMs: number;
  from: string;
}

/**
 * The SLI (architecture.md): a request is good when it succeeded and answered within its
 * endpoint's latency bound, counted from its intended start. Bounds come from the SLO tables
 * (`bounds:`); an endpoint without one takes the `*` bound, else DEFAULT_BOUND_MS.
 */
export class SliBounds {
  private readonly byTag = new Map<string, LatencyBound>();

  constructor(bounds: readonly LatencyBound[] = []) {
    for (const b of bounds) this.byTag.set(b.tag, b);
  }

  of(tag: string): Bound {
    const b = this.byTag.get(tag) ?? this.byTag.get(ALL);
    if (b) return { maxMs: b.maxMs, from: `${b.source.seed}: ${b.source.table}` };
    return { maxMs: DEFAULT_BOUND_MS, from: 'default' };
  }

  /** e.g. `search within 100 ms, * within 1000 ms`, for one tag or for every tag seen. */
  describe(tags: readonly string[]): string {
    return [...new Set(tags)]
      .sort()
      .map((t) => `${t} within ${this.of(t).maxMs} ms`)
      .join(', ');
  }

  isGood(s: RequestSample): boolean {
    return !s.error && s.durationMs <= this.of(s.tag).maxMs;
  }
}

/** Requests of one second (or a sum of seconds), judged by the SLI. */
export interface GoodCount {
  count: number;
  errors: number;
  /** Succeeded, but later than the endpoint's bound. */
  slow: number;
  /** Not good: errors plus slow answers (from windows, an upper estimate; see goodBySecond). */
  bad: number;
}

export const emptyCount = (): GoodCount => ({ count: 0, errors: 0, slow: 0, bad: 0 });

export function addCount(a: GoodCount, b: GoodCount): GoodCount {
  return { count: a.count + b.count, errors: a.errors + b.errors, slow: a.slow + b.slow, bad: a.bad + b.bad };
}

/** Share of good requests in percent (null when there were none). */
export function goodPct(c: GoodCount): number | null {
  return c.count === 0 ? null : (100 * (c.count - c.bad)) / c.count;
}

export interface GoodBySecond {
  bySec: Map<number, GoodCount>;
  /** `requests`: every request judged on its own; `windows`: estimated from per-second histograms. */
  from: 'requests' | 'windows';
}

/** Values above `maxMs` in an encoded µs histogram, from its percentiles (to 1/10⁴ of the count). */
export function countAboveMs(hdr: string, maxMs: number): number {
  if (!hdr) return 0;
  const h = decodeFromCompressedBase64(hdr);
  const total = h.totalCount;
  const limit = maxMs * 1000;
  if (total === 0 || h.maxValue <= limit) return 0;
  let lo = 0;
  let hi = 100;
  for (let i = 0; i < 40 && hi - lo > 1e-4; i++) {
    const mid = (lo + hi) / 2;
    if (h.getValueAtPercentile(mid) > limit) hi = mid;
    else lo = mid;
  }
  return Math.min(total, Math.round((total * (100 - hi)) / 100));
}

/**
 * Good and bad requests of `tag` (`*`: every endpoint, each judged by its own bound) per run
 * second of intended start. From the run's request records when it kept them (exact); else from
 * the per-second, per-endpoint windows, where a slow answer is read from the histogram, which
 * also holds the errors' latencies: bad = min(count, errors + slow) is then an upper estimate.
 */
export function goodBySecond(
  run: { metrics: readonly LatencyWindow[] | null; requests?: readonly RequestSample[] | null },
  tag: string,
  bounds: SliBounds,
): GoodBySecond {
  const bySec = new Map<number, GoodCount>();
  const cell = (sec: number) => {
    let c = bySec.get(sec);
    if (!c) {
      c = emptyCount();
      bySec.set(sec, c);
    }
    return c;
  };
  if (run.requests) {
    for (const s of run.requests) {
      if (tag !== ALL && s.tag !== tag) continue;
      const c = cell(Math.floor(s.issuedMs / 1000));
      c.count++;
      if (s.error) c.errors++;
      else if (s.durationMs > bounds.of(s.tag).maxMs) c.slow++;
      c.bad = c.errors + c.slow;
    }
    return { bySec, from: 'requests' };
  }
  // `*` sums the endpoints' own windows, so that each is judged by its own bound; a second that
  // has only the `*` window (runs without endpoint tags) is judged by the `*` bound.
  for (const w of run.metrics ?? [])
    if (tag === ALL ? w.tag !== ALL : w.tag === tag) addWindow(cell(w.sec), w, bounds);
  if (tag === ALL)
    for (const w of run.metrics ?? [])
      if (w.tag === ALL && !bySec.has(w.sec)) addWindow(cell(w.sec), w, bounds);
  return { bySec, from: 'windows' };
}

function addWindow(c: GoodCount, w: LatencyWindow, bounds: SliBounds): void {
  const slow = Math.max(0, Math.min(w.count - w.errors, countAboveMs(w.hdr, bounds.of(w.tag).maxMs)));
  c.count += w.count;
  c.errors += w.errors;
  c.slow += slow;
  c.bad = Math.min(c.count, c.errors + c.slow);
}

/** The counts of the seconds lying wholly inside the ranges (secondIn), summed. */
export function goodIn(g: GoodBySecond, ranges: readonly Range[]): GoodCount {
  let sum = emptyCount();
  for (const [sec, c] of g.bySec) if (secondIn(sec, ranges)) sum = addCount(sum, c);
  return sum;
}
