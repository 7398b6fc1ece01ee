import type { FaultMeasurement, OpensearchSample, ProbeName, RunMs } from '../../lib/run-format.ts';
import type { ComponentEvent, SloRow } from '../../lib/slo.ts';
import { type Sample, samplesOf, toMs } from './checker.ts';
import { endpointRtos } from './endpoint-rto.ts';
import { SliBounds } from './good-requests.ts';
import { lbReadmission } from './lb-readmission.ts';
import type { RunData } from './load-run.ts';
import { type FaultSpan, faultSpans } from './run-windows.ts';
import { horizonMs, SETTLE_SEC, type Sli, sliFor, sliRecovery, targetNames } from './sli-recovery.ts';

/** Consumer lag (s) counted as recovered when the table has no lag row for the group. */
export const DEFAULT_LAG_OBJECTIVE_SEC = 5;
/** The consumer group whose lag is the stream's recovery. */
export const STREAM_GROUP = 'stream-normalizer';

/** A component's recovery from one fault, with when the probe first saw it and how often it looked. */
export interface ComponentTime {
  /** Fault start to the first healthy sample after the first unhealthy one; 0 when none was unhealthy; null when never healthy again. */
  ms: number | null;
  /** Fault start to the first unhealthy sample (detection); null when none was. */
  detectedMs?: number | null;
  /** Median gap between the probe's samples during the fault: the resolution of both times. */
  resolutionMs?: number | null;
  /**
   * Set when it recovered after being seen unhealthy: fault start to the last sample that
   * observed the component unhealthy. The recovery lies after it and at or before `ms`: a probe
   * samples, so a time it reads is known only to within its interval (longer when it failed to
   * observe in between, then `blindBefore`).
   */
  notBeforeMs?: number;
  /** The probe could not observe (failed samples, counted as unhealthy) right before `ms`. */
  blindBefore?: boolean;
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
  /** A sample the probe failed to take: counted as unhealthy, but it observed nothing. */
  unobserved: (d: T) => boolean = () => false,
): ComponentTime {
  const during = samples.filter((s) => s.t >= fault.startMs && s.t < horizon).sort((a, b) => a.t - b.t);
  const resolutionMs = medianGapMs(during.map((s) => s.t));
  const firstBad = during.findIndex((s) => bad(s.data));
  if (firstBad < 0) return { ms: 0, detectedMs: null, resolutionMs };
  const detectedMs = during[firstBad]!.t - fault.startMs;
  const at = during.findIndex((s, i) => i > firstBad && !bad(s.data));
  if (at < 0) return { ms: null, detectedMs, resolutionMs };
  const ms = during[at]!.t - fault.startMs;
  const seenBad = during.slice(firstBad, at).findLast((s) => !unobserved(s.data));
  const notBeforeMs = seenBad ? Math.max(0, seenBad.t - fault.startMs) : 0;
  const blindBefore = unobserved(during[at - 1]!.data);
  return { ms, detectedMs, resolutionMs, notBeforeMs, ...(blindBefore ? { blindBefore } : {}) };
}

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
 * - kafka-leader: every partition has a live leader (a failed kafka sample counts as none): not
 *   null, not a broker that left the cluster during the fault and is not registered again, else
 *   not a broker named among the targets as `kafka-<id>` while it is not registered;
 * - kafka-isr: every partition has an ISR of at least 2;
 * - redis-switch-master: all answering Sentinels agree on a primary other than the one before the
 *   fault (applies when the old primary was a target or the primary changed);
 * - pg-writable: the postgres sample's write probe succeeded (also in a sample failed for another node);
 * - lb-healthy: no HAProxy server that is a fault target is UP (applies when one is a server);
 * - stream-recovery: lag of `stream-normalizer` at or under its objective;
 * - search-green: the OpenSearch cluster is green with every node of the topology in it
 *   (searchNodesExpected); a sample in which no node answered counts as not green.
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
      // A broker that left is a dead leader until it is registered again after having left (still
      // listed for the seconds before it is fenced, it is dead all the same); once back, Kafka
      // gives it its preferred leaderships again (leader.imbalance.check 15 s), and that is healthy.
      const backAt = new Map<number, number>();
      for (const b of gone) {
        const left = samples.find((s) => s.t >= fault.startMs && !s.data.brokers.includes(b));
        const back = left && samples.find((s) => s.t > left.t && s.data.brokers.includes(b));
        if (back) backAt.set(b, back.t);
      }
      // A failed observation (metadata timed out) cannot show a live leader: it counts as none,
      // so leaders found only after the probe could answer again are not read as 0 s.
      const observed = (samplesOf(run, 'kafka', UNOBSERVED_KAFKA) ?? []).map((s) => ({
        t: s.t,
        data:
          s.data === UNOBSERVED_KAFKA
            ? null
            : s.data.partitions.some(
                (p) =>
                  p.leader === null ||
                  (gone.has(p.leader) && s.t < (backAt.get(p.leader) ?? Number.POSITIVE_INFINITY)),
              ),
      }));
      return firstHealthyAfterBad(
        observed,
        fault,
        horizon,
        (dead) => dead !== false,
        (dead) => dead === null,
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
    case 'search-green': {
      const samples = samplesOf(run, 'opensearch', NO_SEARCH_ANSWER) ?? [];
      if (!samples.some((s) => s.t >= fault.startMs && s.t < horizon && s.data.status !== null))
        return undefined;
      const expected = searchNodesExpected(samples, fault);
      if (expected === null) return undefined;
      return firstHealthyAfterBad(
        samples,
        fault,
        horizon,
        (d) => d.status !== 'green' || d.nodes === null || d.nodes < expected,
      );
    }
  }
}

/** How a failed opensearch sample (no node answered) reads: nothing seen, so not green. */
const NO_SEARCH_ANSWER: OpensearchSample = {
  status: null,
  nodes: null,
  unassignedShards: null,
  activeShardsPercent: null,
  from: null,
  answered: [],
  silent: [],
};

/**
 * OpenSearch nodes the cluster should have: the topology's (answered + silent of any sample),
 * else the most nodes a sample before the fault saw; null when neither is known.
 */
export function searchNodesExpected(
  samples: readonly Sample<OpensearchSample>[],
  fault: FaultSpan,
): number | null {
  const topology = Math.max(0, ...samples.map((s) => s.data.answered.length + s.data.silent.length));
  if (topology > 0) return topology;
  const before = samples.flatMap((s) => (s.t < fault.startMs && s.data.nodes !== null ? [s.data.nodes] : []));
  return before.length > 0 ? Math.max(...before) : null;
}

/** A kafka sample the probe could not take, for kafka-leader: no partition with a known leader. */
const UNOBSERVED_KAFKA = {
  controller: null,
  brokers: [],
  partitions: [{ topic: '(not observed)', partition: -1, leader: null, isr: [] }],
};

/** The probe each component event is read from. */
export const PROBE_OF_EVENT: Readonly<Record<ComponentEvent, ProbeName>> = {
  'kafka-leader': 'kafka',
  'kafka-isr': 'kafka',
  'redis-switch-master': 'redis',
  'pg-writable': 'postgres',
  'lb-healthy': 'haproxy',
  'stream-recovery': 'consumer-lag',
  'search-green': 'opensearch',
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
  'search-green',
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
