import { build, decodeFromCompressedBase64, type Histogram } from 'hdr-histogram-js';
import { z } from 'zod';
import type {
  ConsumerLagSample,
  HaproxySample,
  HistoryEvent,
  KafkaSample,
  LatencyWindow,
  OpensearchSample,
  Phase,
  PostgresSample,
  RedisSample,
  SloVerdict,
} from '../../lib/run-format.ts';
import type { StoredRun } from './load-run.ts';

// Pure derivations from a stored run to chart rows. Times are seconds since run start.

export interface LatencyPoint {
  tag: string;
  sec: number;
  percentile: 'p50' | 'p95' | 'p99';
  ms: number;
}
export interface RatePoint {
  sec: number;
  series: 'achieved' | 'intended';
  rps: number;
}
export interface ErrorPoint {
  tag: string;
  sec: number;
  errorPct: number;
}
export interface LagPoint {
  sec: number;
  group: string;
  lagOffsets: number;
  lagSec: number;
}
export interface FaultWindow {
  faultId: string;
  fault: string;
  targets: string;
  startSec: number;
  stopSec: number;
  /** True when no fault-stop was recorded; stopSec is then the end of the run. */
  open: boolean;
}
export interface PhaseSpan {
  phase: Phase;
  startSec: number;
  endSec: number;
}
export type ComponentName = 'kafka' | 'redis' | 'postgres' | 'haproxy' | 'opensearch';
export interface ComponentEvent {
  sec: number;
  component: ComponentName;
  /** Short label shown on the chart, e.g. `leader change`, `switch-master`, `promoted`, `DOWN`. */
  what: string;
  detail: string;
}
/** Evidence of a `capacity` row, as reports/checks/capacity.ts writes it. */
export interface CapacityEvidence {
  /** Load steps in req/s; p95Ms is null when the step had no successful request. */
  steps: {
    rate: number;
    p95Ms: number | null;
    pass: boolean;
    errorRate?: number | null;
    failed?: string[];
  }[];
  /** Lowest step rate that did not pass; null when every step passed (the knee was not reached). */
  knee: number | null;
}

/** The histogram settings every LatencyWindow.hdr was built with (lib/run-format.ts). */
const HDR = {
  lowestDiscernibleValue: 1,
  highestTrackableValue: 60_000_000,
  numberOfSignificantValueDigits: 3,
} as const;

/** Seconds the time charts span: the plan's duration, or the last thing the run recorded. */
export function runSpanSec(run: StoredRun): number {
  const lastEvent = (run.history ?? []).reduce((m, e) => Math.max(m, e.t / 1000), 0);
  const lastWindow = (run.metrics ?? []).reduce((m, w) => Math.max(m, w.sec + 1), 0);
  return Math.max(run.plan?.durationSec ?? 0, lastEvent, lastWindow, 1);
}

/** Window width so a time chart has at most ~240 points; percentiles come from merged histograms. */
export function bucketSecFor(spanSec: number): number {
  return Math.max(1, Math.ceil(spanSec / 240));
}

/** p50/p95/p99 per tag (`*` is shown as `all`) per bucket, in ms, from merged HDR histograms. */
export function latencySeries(metrics: LatencyWindow[], bucketSec: number): LatencyPoint[] {
  const merged = new Map<string, { tag: string; sec: number; h: Histogram }>();
  for (const w of metrics) {
    if (w.count === 0 || !w.hdr) continue;
    const sec = Math.floor(w.sec / bucketSec) * bucketSec;
    const key = `${w.tag}\u0000${sec}`;
    let slot = merged.get(key);
    if (!slot) {
      slot = { tag: tagLabel(w.tag), sec, h: build(HDR) };
      merged.set(key, slot);
    }
    slot.h.add(decodeFromCompressedBase64(w.hdr));
  }
  const out: LatencyPoint[] = [];
  for (const { tag, sec, h } of merged.values()) {
    if (h.totalCount === 0) continue;
    for (const [percentile, p] of [
      ['p50', 50],
      ['p95', 95],
      ['p99', 99],
    ] as const) {
      out.push({ tag, sec, percentile, ms: round(h.getValueAtPercentile(p) / 1000) });
    }
  }
  return out.sort((a, b) => a.tag.localeCompare(b.tag) || a.sec - b.sec);
}

/** Achieved (responses/s) and intended (profile's arrival rate) request rate, from the `*` windows. */
export function rateSeries(metrics: LatencyWindow[], bucketSec: number): RatePoint[] {
  const buckets = new Map<number, { count: number; intended: number[] }>();
  for (const w of metrics) {
    if (w.tag !== '*') continue;
    const sec = Math.floor(w.sec / bucketSec) * bucketSec;
    const b = buckets.get(sec) ?? { count: 0, intended: [] };
    b.count += w.count;
    if (w.intendedRate !== undefined) b.intended.push(w.intendedRate);
    buckets.set(sec, b);
  }
  const out: RatePoint[] = [];
  for (const [sec, b] of [...buckets].sort((x, y) => x[0] - y[0])) {
    out.push({ sec, series: 'achieved', rps: round(b.count / bucketSec) });
    if (b.intended.length > 0) {
      out.push({
        sec,
        series: 'intended',
        rps: round(b.intended.reduce((s, v) => s + v, 0) / b.intended.length),
      });
    }
  }
  return out;
}

/** Failed / all requests per tag per bucket, in percent. */
export function errorSeries(metrics: LatencyWindow[], bucketSec: number): ErrorPoint[] {
  const buckets = new Map<string, { tag: string; sec: number; count: number; errors: number }>();
  for (const w of metrics) {
    const sec = Math.floor(w.sec / bucketSec) * bucketSec;
    const key = `${w.tag}\u0000${sec}`;
    const b = buckets.get(key) ?? { tag: tagLabel(w.tag), sec, count: 0, errors: 0 };
    b.count += w.count;
    b.errors += w.errors;
    buckets.set(key, b);
  }
  return [...buckets.values()]
    .filter((b) => b.count > 0)
    .map((b) => ({ tag: b.tag, sec: b.sec, errorPct: round((100 * b.errors) / b.count) }))
    .sort((a, b) => a.tag.localeCompare(b.tag) || a.sec - b.sec);
}

/** Dropped iterations summed over the run (k6 could not start them on schedule). */
export function droppedIterations(metrics: LatencyWindow[]): number {
  return metrics.reduce((s, w) => s + (w.tag === '*' ? (w.droppedIterations ?? 0) : 0), 0);
}

/** Consumer lag per group from `consumer-lag` samples: offsets summed over topics, seconds the max. */
export function lagSeries(history: HistoryEvent[]): LagPoint[] {
  const out: LagPoint[] = [];
  for (const e of history) {
    if (e.kind !== 'sample' || e.probe !== 'consumer-lag' || !e.ok) continue;
    const byGroup = new Map<string, LagPoint>();
    for (const g of (e.data as ConsumerLagSample).groups ?? []) {
      const p = byGroup.get(g.group) ?? { sec: round(e.t / 1000), group: g.group, lagOffsets: 0, lagSec: 0 };
      p.lagOffsets += g.lagOffsets;
      p.lagSec = Math.max(p.lagSec, g.lagSec);
      byGroup.set(g.group, p);
    }
    out.push(...byGroup.values());
  }
  return out;
}

/** Fault windows from fault-start/stop events; a fault never stopped runs to the end of the span. */
export function faultWindows(history: HistoryEvent[], spanSec: number): FaultWindow[] {
  const out = new Map<string, FaultWindow>();
  for (const e of history) {
    if (e.kind === 'fault-start') {
      out.set(e.faultId, {
        faultId: e.faultId,
        fault: e.fault,
        targets: e.targets.map((t) => (t.role ? `${t.name} (${t.role})` : t.name)).join(', '),
        startSec: round(e.t / 1000),
        stopSec: spanSec,
        open: true,
      });
    } else if (e.kind === 'fault-stop') {
      const w = out.get(e.faultId);
      if (w) {
        w.stopSec = round(e.t / 1000);
        w.open = false;
      }
    }
  }
  return [...out.values()];
}

/** Phase spans from `phase` events; each lasts until the next phase or the end of the span. */
export function phaseSpans(history: HistoryEvent[], spanSec: number): PhaseSpan[] {
  const marks = history.flatMap((e) =>
    e.kind === 'phase' ? [{ phase: e.phase, sec: round(e.t / 1000) }] : [],
  );
  return marks.map((m, i) => ({ phase: m.phase, startSec: m.sec, endSec: marks[i + 1]?.sec ?? spanSec }));
}

/**
 * Component events on the run's time axis, from changes between consecutive successful samples:
 * Kafka partition leader changes and ISR below 2, Sentinel's agreed primary switching, Postgres
 * primary promotion and writability, HAProxy servers going DOWN/UP, the OpenSearch cluster's
 * health or size changing.
 */
export function componentEvents(history: HistoryEvent[]): ComponentEvent[] {
  const out: ComponentEvent[] = [];
  let kafka: KafkaSample | null = null;
  let redis: RedisSample | null = null;
  let pg: PostgresSample | null = null;
  let lb: HaproxySample | null = null;
  let search: OpensearchSample | null = null;
  for (const e of history) {
    if (e.kind !== 'sample' || !e.ok) continue;
    const sec = round(e.t / 1000);
    const add = (component: ComponentName, what: string, detail: string) =>
      out.push({ sec, component, what, detail });
    if (e.probe === 'kafka') {
      const cur = e.data as KafkaSample;
      if (kafka) kafkaChanges(kafka, cur, add);
      kafka = cur;
    } else if (e.probe === 'redis') {
      const cur = e.data as RedisSample;
      const name = (s: RedisSample) => s.primaryName ?? s.primary;
      if (redis && name(redis) !== name(cur)) {
        if (name(cur) === null) add('redis', 'no primary', 'Sentinels do not agree on a primary');
        else add('redis', 'switch-master', `Sentinel primary ${name(redis) ?? 'none'} → ${name(cur)}`);
      }
      redis = cur;
    } else if (e.probe === 'postgres') {
      const cur = e.data as PostgresSample;
      if (pg) {
        if (cur.primary !== null && cur.primary !== pg.primary) {
          add('postgres', 'promoted', `${cur.primary} accepts writes (was ${pg.primary ?? 'none'})`);
        } else if (pg.writable && !cur.writable) {
          add('postgres', 'read-only', `no node accepts writes (primary was ${pg.primary ?? 'none'})`);
        } else if (!pg.writable && cur.writable) {
          add('postgres', 'writable', `${cur.primary ?? 'primary'} accepts writes again`);
        }
      }
      pg = cur;
    } else if (e.probe === 'haproxy') {
      const cur = e.data as HaproxySample;
      if (lb) {
        const before = new Map(lb.servers.map((s) => [`${s.backend}/${s.server}`, s.status]));
        for (const s of cur.servers) {
          const key = `${s.backend}/${s.server}`;
          const was = before.get(key);
          if (was !== undefined && was !== s.status)
            add('haproxy', `${s.server} ${s.status}`, `${key}: ${was} → ${s.status}`);
        }
      }
      lb = cur;
    } else if (e.probe === 'opensearch') {
      const cur = e.data as OpensearchSample;
      if (search && (search.status !== cur.status || search.nodes !== cur.nodes)) {
        const unassigned = cur.unassignedShards ? `, ${cur.unassignedShards} unassigned shard(s)` : '';
        const quiet = cur.silent.length > 0 ? `; no answer from ${cur.silent.join(', ')}` : '';
        add(
          'opensearch',
          `${cur.status ?? 'unknown'}, ${cur.nodes ?? '?'} nodes`,
          `cluster ${search.status ?? 'unknown'} with ${search.nodes ?? '?'} nodes → ${cur.status ?? 'unknown'} with ${cur.nodes ?? '?'}${unassigned} (from ${cur.from ?? 'no node'}${quiet})`,
        );
      }
      search = cur;
    }
  }
  return out;
}

function kafkaChanges(
  prev: KafkaSample,
  cur: KafkaSample,
  add: (c: ComponentName, what: string, detail: string) => void,
): void {
  if (prev.controller !== cur.controller) {
    add(
      'kafka',
      'controller',
      `active controller ${prev.controller ?? 'none'} → ${cur.controller ?? 'none'}`,
    );
  }
  const before = new Map(prev.partitions.map((p) => [`${p.topic}-${p.partition}`, p]));
  const moved: string[] = [];
  let shrunkNow = 0;
  let shrunkBefore = 0;
  for (const p of cur.partitions) {
    const b = before.get(`${p.topic}-${p.partition}`);
    if (p.isr.length < 2) shrunkNow++;
    if (!b) continue;
    if (b.isr.length < 2) shrunkBefore++;
    if (b.leader !== p.leader)
      moved.push(`${p.topic}-${p.partition} ${b.leader ?? 'none'}→${p.leader ?? 'none'}`);
  }
  if (moved.length > 0) {
    const shown = moved.slice(0, 4).join(', ') + (moved.length > 4 ? `, +${moved.length - 4} more` : '');
    add('kafka', 'leader change', `${moved.length} partition(s): ${shown}`);
  }
  if (shrunkBefore === 0 && shrunkNow > 0)
    add('kafka', 'ISR < 2', `${shrunkNow} partition(s) with fewer than 2 in-sync replicas`);
  if (shrunkBefore > 0 && shrunkNow === 0)
    add('kafka', 'ISR ≥ 2', 'every partition has at least 2 in-sync replicas again');
}

const capacityShape = z.object({
  steps: z
    .array(
      z.object({
        rate: z.number(),
        p95Ms: z.number().nullable(),
        pass: z.boolean(),
        errorRate: z.number().nullable().optional(),
        failed: z.array(z.string()).optional(),
      }),
    )
    .min(1),
  knee: z.number().nullable(),
});

/** Evidence of a `capacity` SLO row (steps and knee), or null when the row is not one. */
export function capacityEvidence(slo: SloVerdict): CapacityEvidence | null {
  const parsed = capacityShape.safeParse(slo.evidence);
  return parsed.success ? parsed.data : null;
}

function tagLabel(tag: string): string {
  return tag === '*' ? 'all' : tag;
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
