import type { FaultMeasurement, LatencyWindow, ProbeName, RunMs } from '../../lib/run-format.ts';
import type { ComponentEvent, SloRow } from '../../lib/slo.ts';
import { type Objective, type Sample, samplesOf, toMs, within } from './checker.ts';
import { endpointRtos } from './endpoint-rto.ts';
import { type GoodCount, goodBySecond, goodPct, SliBounds } from './good-requests.ts';
import { mergeHdr, percentileMs } from './hdr.ts';
import { lbReadmission } from './lb-readmission.ts';
import type { RunData } from './load-run.ts';
import { type RequestSample, recoveredAt } from './request-samples.ts';
import { type FaultSpan, faultSpans, runEndMs, windowRanges } from './run-windows.ts';

/** Seconds the SLI must stay within objective before a fault counts as recovered. */
export const SETTLE_SEC = 5;
/** Success objective of the RTO SLI when the table has no availability or error-rate row for the tag. */
export const DEFAULT_SUCCESS_PCT = 99;
/** Consumer lag (s) counted as recovered when the table has no lag row for the group. */
export const DEFAULT_LAG_OBJECTIVE_SEC = 5;
/** The consumer group whose lag is the stream's recovery. */
export const STREAM_GROUP = 'stream-normalizer';

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

/** A component's recovery from one fault, with when the probe first saw it and how often it looked. */
export interface ComponentTime {
  /** Fault start to the first healthy sample after the first unhealthy one; 0 when none was unhealthy; null when never healthy again. */
  ms: number | null;
  /** Fault start to the first unhealthy sample (detection); null when none was. */
  detectedMs?: number | null;
  /** Median gap between the probe's samples during the fault: the resolution of both times. */
  resolutionMs?: number | null;
}

/** Median gap between consecutive sample times (null with fewer than two). */
export function medianGapMs(ts: readonly number[]): number | null {
  const gaps = ts
    .slice(1)
    .map((t, i) => t - ts[i]!)
    .sort((a, b) => a - b);
  return gaps.length === 0 ? null : gaps[Math.floor(gaps.length / 2)]!;
}

/**
 * Time from fault start to the first healthy sample after the first unhealthy one within
 * [start, horizon); 0 when no sample was unhealthy; null when it never became healthy again.
 */
function firstHealthyAfterBad<T>(
  samples: readonly Sample<T>[],
  fault: FaultSpan,
  horizon: RunMs,
  bad: (d: T) => boolean,
): ComponentTime {
  const during = samples.filter((s) => s.t >= fault.startMs && s.t < horizon).sort((a, b) => a.t - b.t);
  const resolutionMs = medianGapMs(during.map((s) => s.t));
  const firstBad = during.findIndex((s) => bad(s.data));
  if (firstBad < 0) return { ms: 0, detectedMs: null, resolutionMs };
  const detectedMs = during[firstBad]!.t - fault.startMs;
  const healed = during.slice(firstBad + 1).find((s) => !bad(s.data));
  return { ms: healed ? healed.t - fault.startMs : null, detectedMs, resolutionMs };
}

/** Target names, with the components of whole-AZ targets. */
export const targetNames = (f: FaultSpan) =>
  new Set(f.targets.flatMap((t) => [t.name, ...(t.members ?? [])]));

/** Group lag in seconds in one sample: the worst topic of the group; null when absent. */
export function groupLagSec(
  data: { groups: { group: string; lagSec: number; lagOffsets: number }[] },
  group: string,
): number | null {
  const g = data.groups.filter((x) => x.group === group);
  return g.length === 0 ? null : Math.max(...g.map((x) => x.lagSec));
}

/** Lag (s) a group counts as caught up at: its `consumer-lag` row's p95-sec/peak-sec objective, else the default. */
export function lagObjectiveSec(rows: readonly SloRow[], group: string): { sec: number; from: string } {
  const row = rows.find(
    (r) =>
      r.metric === 'consumer-lag' &&
      r.params?.group === group &&
      (r.params?.stat === 'p95-sec' || r.params?.stat === 'peak-sec'),
  );
  if (row) return { sec: toMs(row.objective.value, row.unit) / 1000, from: row.id };
  return { sec: DEFAULT_LAG_OBJECTIVE_SEC, from: 'default' };
}

/**
 * Per-component recovery of one fault, or undefined when it does not apply (no samples, or the
 * component was not involved). Definitions:
 * - kafka-leader: every partition has a live leader (not null, not a broker that left the
 *   cluster during the fault, else not a broker named among the targets as `kafka-<id>`);
 * - kafka-isr: every partition has an ISR of at least 2;
 * - redis-switch-master: all answering Sentinels agree on a primary other than the one before the
 *   fault (applies when the old primary was a target or the primary changed);
 * - pg-writable: the postgres sample's write probe succeeded (also in a sample failed for another node);
 * - lb-healthy: no HAProxy server that is a fault target is UP (applies when one is a server);
 * - stream-recovery: lag of `stream-normalizer` at or under its objective.
 */
export function componentRecovery(
  run: RunData,
  rows: readonly SloRow[],
  fault: FaultSpan,
  horizon: RunMs,
  what: ComponentEvent,
): ComponentTime | undefined {
  const names = targetNames(fault);
  switch (what) {
    case 'kafka-leader':
    case 'kafka-isr': {
      const samples = samplesOf(run, 'kafka') ?? [];
      if (!samples.some((s) => s.t >= fault.startMs && s.t < horizon)) return undefined;
      if (what === 'kafka-isr')
        return firstHealthyAfterBad(samples, fault, horizon, (d) =>
          d.partitions.some((p) => p.isr.length < 2),
        );
      const before = [...samples].reverse().find((s) => s.t < fault.startMs);
      const known = new Set(before?.data.brokers ?? []);
      const gone = new Set<number>();
      for (const s of samples)
        if (s.t >= fault.startMs && s.t < horizon)
          for (const b of known) if (!s.data.brokers.includes(b)) gone.add(b);
      if (gone.size === 0)
        for (const n of names) {
          const m = /^kafka-?(\d+)$/.exec(n);
          if (m) gone.add(Number(m[1]));
        }
      return firstHealthyAfterBad(samples, fault, horizon, (d) =>
        d.partitions.some((p) => p.leader === null || gone.has(p.leader)),
      );
    }
    case 'redis-switch-master': {
      const samples = samplesOf(run, 'redis') ?? [];
      if (!samples.some((s) => s.t >= fault.startMs && s.t < horizon)) return undefined;
      const before = [...samples].reverse().find((s) => s.t < fault.startMs && s.data.primary !== null);
      const old = before?.data.primary ?? null;
      const switched = samples.find(
        (s) =>
          s.t >= fault.startMs &&
          s.t < horizon &&
          s.data.primary !== null &&
          s.data.primary !== old &&
          s.data.sentinels.every((x) => x.primary === null || x.primary === s.data.primary),
      );
      const resolutionMs = medianGapMs(
        samples.filter((s) => s.t >= fault.startMs && s.t < horizon).map((s) => s.t),
      );
      if (switched) return { ms: switched.t - fault.startMs, resolutionMs };
      const hit = before?.data.primaryName != null && names.has(before.data.primaryName);
      return hit ? { ms: null, resolutionMs } : undefined;
    }
    case 'pg-writable': {
      // The probe's own write decides, also in a sample marked failed because another node (the
      // lost primary) did not answer; a sample without that write counts as not writable.
      const samples = (run.history ?? []).flatMap((e) =>
        e.kind === 'sample' && e.probe === 'postgres'
          ? [{ t: e.t, data: { writable: (e.data as { writable?: unknown } | null)?.writable === true } }]
          : [],
      );
      if (!samples.some((s) => s.t >= fault.startMs && s.t < horizon)) return undefined;
      return firstHealthyAfterBad(samples, fault, horizon, (d) => !d.writable);
    }
    case 'lb-healthy': {
      const samples = samplesOf(run, 'haproxy') ?? [];
      if (
        !samples.some(
          (s) => s.t >= fault.startMs && s.t < horizon && s.data.servers.some((x) => names.has(x.server)),
        )
      )
        return undefined;
      return firstHealthyAfterBad(samples, fault, horizon, (d) =>
        d.servers.some((x) => names.has(x.server) && x.status === 'UP'),
      );
    }
    case 'stream-recovery': {
      const samples = (samplesOf(run, 'consumer-lag') ?? []).flatMap((s) => {
        const lag = groupLagSec(s.data, STREAM_GROUP);
        return lag === null ? [] : [{ t: s.t, data: lag }];
      });
      if (!samples.some((s) => s.t >= fault.startMs && s.t < horizon)) return undefined;
      const limit = lagObjectiveSec(rows, STREAM_GROUP).sec;
      return firstHealthyAfterBad(samples, fault, horizon, (lag) => lag > limit);
    }
  }
}

/** The probe each component event is read from. */
export const PROBE_OF_EVENT: Readonly<Record<ComponentEvent, ProbeName>> = {
  'kafka-leader': 'kafka',
  'kafka-isr': 'kafka',
  'redis-switch-master': 'redis',
  'pg-writable': 'postgres',
  'lb-healthy': 'haproxy',
  'stream-recovery': 'consumer-lag',
};

/**
 * Whether `what` has data during [fault start, horizon): a sample of its probe that observed
 * something (postgres: any sample, its write probe decides; stream-recovery: one holding the
 * stream's group). Without it, whether the component recovered, or was involved at all, is not
 * known.
 */
export function sampledDuring(run: RunData, what: ComponentEvent, fault: FaultSpan, horizon: RunMs): boolean {
  const probe = PROBE_OF_EVENT[what];
  return (run.history ?? []).some(
    (e) =>
      e.kind === 'sample' &&
      e.probe === probe &&
      e.t >= fault.startMs &&
      e.t < horizon &&
      (probe === 'postgres' || e.ok) &&
      (what !== 'stream-recovery' ||
        ((e.data as { groups?: { group: string }[] }).groups ?? []).some((g) => g.group === STREAM_GROUP)),
  );
}

export const COMPONENT_EVENTS: readonly ComponentEvent[] = [
  'kafka-leader',
  'kafka-isr',
  'redis-switch-master',
  'pg-writable',
  'lb-healthy',
  'stream-recovery',
];

/**
 * RTO, detection and per-component recovery of every fault that happened. The SLI is that of the
 * first `rto` row (else the default SLI); without metrics the SLI figures are null.
 */
export function faultMeasurements(
  run: RunData,
  rows: readonly SloRow[],
  bounds = new SliBounds(),
): FaultMeasurement[] {
  const faults = faultSpans(run);
  let sli: Sli;
  try {
    sli = sliFor(
      rows.find((r) => r.metric === 'rto'),
      rows,
      bounds,
    );
  } catch {
    sli = sliFor(undefined, rows, bounds);
  }
  return faults.map((f) => {
    const horizon = horizonMs(run, faults, f);
    const rec = run.metrics
      ? sliRecovery(run, f, horizon, sli, SETTLE_SEC)
      : { rtoMs: null, detectionMs: null };
    const components = COMPONENT_EVENTS.flatMap((what) => {
      const c = componentRecovery(run, rows, f, horizon, what);
      return c
        ? [
            {
              what,
              ms: c.ms,
              ...(c.detectedMs !== undefined ? { detectedMs: c.detectedMs } : {}),
              ...(c.resolutionMs !== undefined ? { resolutionMs: c.resolutionMs } : {}),
            },
          ]
        : [];
    });
    const lb = lbReadmission(run, f, horizon);
    return {
      faultId: f.faultId,
      fault: f.fault,
      targets: f.targets,
      startMs: f.startMs,
      stopMs: f.stopMs,
      rtoMs: rec.rtoMs,
      detectionMs: rec.detectionMs,
      components,
      ...(run.metrics ? { endpoints: endpointRtos(run, f, horizon, rows, bounds) } : {}),
      ...(lb ? { lb } : {}),
    };
  });
}
