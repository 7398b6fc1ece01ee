import type { LatencyWindow, RunMs } from '../../lib/run-format.ts';
import type { SloRow } from '../../lib/slo.ts';
import { type Objective, toMs, within } from './checker.ts';
import { type GoodCount, goodBySecond, goodPct, SliBounds } from './good-requests.ts';
import { mergeHdr, percentileMs } from './hdr.ts';
import type { RunData } from './load-run.ts';
import { type RequestSample, recoveredAt } from './request-samples.ts';
import { type FaultSpan, runEndMs, windowRanges } from './run-windows.ts';

/**
 * The SLI a fault's RTO is judged by and its recovery: shared by the whole-run RTO (rto.ts), each
 * endpoint's RTO (endpoint-rto.ts) and the fault measurements (fault-recovery.ts).
 */
/** Seconds the SLI must stay within objective before a fault counts as recovered. */
export const SETTLE_SEC = 5;
/** Success objective of the RTO SLI when the table has no availability or error-rate row for the tag. */
export const DEFAULT_SUCCESS_PCT = 99;

/** The per-second SLI a fault's RTO is judged by. */
export interface Sli {
  tag: string;
  /** On the share of good requests (succeeded within their endpoint's bound), in percent. */
  success: Objective;
  /** On the per-second p95 in ms, when the RTO row asks for it (params.percentile 95). */
  p95Ms: Objective | null;
  /** Which answers were in time. */
  bounds: SliBounds;
  /** Where the objectives came from, for the detail. */
  from: string;
}

const tagOf = (r: SloRow) => r.params?.tag ?? '*';

/**
 * The SLI for an RTO row: a request is good when it succeeded within its endpoint's latency bound
 * (`bounds`, from the SLO tables); a second is within objective when its share of good requests
 * meets the table's `availability` row for the tag (else its `error-rate` row, inverted; else
 * DEFAULT_SUCCESS_PCT), and, when the RTO row has params.percentile 95, its p95 meets the `latency`
 * p95 row for the tag (throws when that row is missing).
 */
export function sliFor(
  rtoRow: Pick<SloRow, 'id' | 'params'> | undefined,
  rows: readonly SloRow[],
  bounds = new SliBounds(),
): Sli {
  const tag = rtoRow?.params?.tag ?? '*';
  const pct = (v: number, unit: string) => (unit === '%' ? v : v * 100);
  let success: Objective = { op: '>=', value: DEFAULT_SUCCESS_PCT };
  let from = `good >= ${DEFAULT_SUCCESS_PCT} % (default)`;
  const avail = rows.find((r) => r.metric === 'availability' && tagOf(r) === tag);
  const errs = rows.find((r) => r.metric === 'error-rate' && tagOf(r) === tag);
  if (avail) {
    success = { op: avail.objective.op, value: pct(avail.objective.value, avail.unit) };
    from = `good ${success.op} ${success.value} % (${avail.id})`;
  } else if (errs) {
    const flip = { '<': '>', '<=': '>=', '>': '<', '>=': '<=' } as const;
    success = { op: flip[errs.objective.op], value: 100 - pct(errs.objective.value, errs.unit) };
    from = `good ${success.op} ${success.value} % (from ${errs.id})`;
  }
  const inTime = tag === '*' ? "each within its endpoint's bound" : `within ${bounds.of(tag).maxMs} ms`;
  from += `, good = succeeded ${inTime}`;
  let p95Ms: Objective | null = null;
  if (rtoRow?.params?.percentile === 95) {
    const lat = rows.find(
      (r) => r.metric === 'latency' && tagOf(r) === tag && (r.params?.percentile ?? 95) === 95,
    );
    if (!lat)
      throw new Error(`${rtoRow.id} asks for p95 but the table has no latency p95 row for tag ${tag}`);
    p95Ms = { op: lat.objective.op, value: toMs(lat.objective.value, lat.unit) };
    from += ` and p95 ${p95Ms.op} ${p95Ms.value} ms (${lat.id})`;
  }
  return { tag, success, p95Ms, bounds, from: `tag ${tag}: ${from}` };
}

/** Whether one second met the SLI; a second in which nothing was due did not. */
export function secondWithin(c: GoodCount | undefined, w: LatencyWindow | undefined, sli: Sli): boolean {
  const good = c ? goodPct(c) : null;
  if (good === null || !within(good, sli.success)) return false;
  if (sli.p95Ms) {
    const p95 = w ? percentileMs(mergeHdr([w.hdr]), 95) : null;
    if (p95 === null || !within(p95, sli.p95Ms)) return false;
  }
  return true;
}

/** End of load: end of the `run` window, else the end of the run. */
export function loadEndMs(run: RunData): RunMs {
  const r = windowRanges(run, 'run')[0];
  return r ? r.endMs : runEndMs(run);
}

/** How far a fault's effects are looked for: the next fault's start or the end of load. */
export function horizonMs(run: RunData, faults: readonly FaultSpan[], fault: FaultSpan): RunMs {
  const next = faults.filter((f) => f.startMs > fault.startMs).map((f) => f.startMs);
  return Math.max(fault.startMs, Math.min(loadEndMs(run), ...next));
}

export interface SliRecovery {
  rtoMs: number | null;
  detectionMs: number | null;
}

export interface SliRecoveryOptions {
  /**
   * A second in which nothing of the tag was due: `bad` (the default, the overall SLI: an open
   * model has arrivals every second) or `neutral` (an endpoint at under one request a second:
   * such a second shows nothing, so it neither detects nor breaks a settle window, and counts
   * towards it as time passed without a bad request).
   */
  emptySeconds?: 'bad' | 'neutral';
}

/**
 * SLI-based RTO over the run's requests (`src.requests`, else its windows: goodBySecond).
 * Detection: fault start to the first bad request due at or after it (with the requests; else to
 * the first second out of objective); none before the horizon → RTO 0. RTO: fault start to the
 * moment the SLI was met again for good: the first SETTLE_SEC-long run of seconds within objective
 * after detection, ending before the horizon; with the requests, placed at the answer of the first
 * request after which that second's requests were all good (recoveredAt), else at the second's
 * start. The answer, not the intended start: a request due in the outage's last moments that is
 * answered within its bound right after it shows when service came back, not before.
 */
export function sliRecovery(
  src: { metrics: readonly LatencyWindow[] | null; requests?: readonly RequestSample[] | null },
  fault: FaultSpan,
  horizon: RunMs,
  sli: Sli,
  settleSec = SETTLE_SEC,
  opts: SliRecoveryOptions = {},
): SliRecovery {
  const windows = new Map<number, LatencyWindow>();
  let lastIssued = -1;
  for (const w of src.metrics ?? [])
    if (w.tag === sli.tag) {
      windows.set(w.sec, w);
      if (w.count > 0) lastIssued = Math.max(lastIssued, w.sec);
    }
  const good = goodBySecond(src, sli.tag, sli.bounds);
  for (const [sec, c] of good.bySec) if (c.count > 0) lastIssued = Math.max(lastIssued, sec);
  const samples = good.from === 'requests' ? (src.requests ?? null) : null;
  const s0 = Math.floor(fault.startMs / 1000);
  // Seconds after the last one in which anything was due are past the end of load, not an outage.
  const sEnd = Math.min(Math.ceil(horizon / 1000), lastIssued + 1);
  const neutral = (s: number) => opts.emptySeconds === 'neutral' && (good.bySec.get(s)?.count ?? 0) === 0;
  const ok = (s: number) => neutral(s) || secondWithin(good.bySec.get(s), windows.get(s), sli);
  let detected: number | null = null;
  for (let s = s0; s < sEnd; s++)
    if (!ok(s)) {
      detected = s;
      break;
    }
  if (detected === null) return { rtoMs: 0, detectionMs: null };
  const firstBad = samples?.find(
    (x) => x.issuedMs >= fault.startMs && (sli.tag === '*' || x.tag === sli.tag) && !sli.bounds.isGood(x),
  );
  const detectionMs = Math.max(0, (firstBad ? firstBad.issuedMs : detected * 1000) - fault.startMs);
  let run = 0;
  for (let s = detected + 1; s < sEnd; s++) {
    run = ok(s) ? run + 1 : 0;
    if (run === settleSec) {
      const first = s - settleSec + 1;
      const at = samples
        ? recoveredAt(samples, sli.tag, (first - 1) * 1000, (x) => sli.bounds.isGood(x))
        : first * 1000;
      return { rtoMs: Math.max(0, Math.round(at - fault.startMs)), detectionMs };
    }
  }
  return { rtoMs: null, detectionMs };
}

/** Target names, with the components of whole-AZ targets. */
export const targetNames = (f: FaultSpan) =>
  new Set(f.targets.flatMap((t) => [t.name, ...(t.members ?? [])]));
