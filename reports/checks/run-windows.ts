import type { Phase, RunMs, TargetRef } from '../../lib/run-format.ts';
import type { SloWindow } from '../../lib/slo.ts';
import type { RunData } from './load-run.ts';

/** A half-open time range [startMs, endMs) in run milliseconds. */
export interface Range {
  startMs: RunMs;
  endMs: RunMs;
}

export interface PhaseSpan extends Range {
  phase: Phase;
}

/** Phases during which k6 drives load. */
export const LOAD_PHASES: readonly Phase[] = ['warmup', 'baseline', 'fault', 'recovery', 'after'];

/** Last moment the run recorded anything: run-end, the last event or window, else the plan's duration. */
export function runEndMs(run: RunData): RunMs {
  const history = run.history ?? [];
  const end = history.find((e) => e.kind === 'run-end');
  if (end) return end.t;
  const lastEvent = history.reduce((m, e) => Math.max(m, e.t), 0);
  const lastWindow = (run.metrics ?? []).reduce((m, w) => Math.max(m, (w.sec + 1) * 1000), 0);
  return Math.max(lastEvent, lastWindow) || run.plan.durationSec * 1000;
}

/**
 * Phase spans from history `phase` events (each lasts until the next one or the end of the run);
 * when the history holds none, from plan.phases (the last lasting until plan.durationSec).
 */
export function phaseSpans(run: RunData): PhaseSpan[] {
  const events = (run.history ?? []).flatMap((e) => (e.kind === 'phase' ? [{ phase: e.phase, t: e.t }] : []));
  const fromPlan = events.length === 0;
  const marks = fromPlan
    ? [...run.plan.phases]
        .sort((a, b) => a.atSec - b.atSec)
        .map((p) => ({ phase: p.phase, t: p.atSec * 1000 }))
    : events;
  const end = fromPlan ? run.plan.durationSec * 1000 : runEndMs(run);
  return marks.map((m, i) => ({
    phase: m.phase,
    startMs: m.t,
    endMs: Math.max(m.t, marks[i + 1]?.t ?? end),
  }));
}

/**
 * Time ranges of an SLO window: one phase (every occurrence of it); `steady` = the load phases
 * other than warmup, fault and recovery (baseline, after); `run` = first load phase start to last
 * load phase end (warmup included). Empty when the run never reached such a phase.
 */
export function windowRanges(run: RunData, window: SloWindow): Range[] {
  const spans = phaseSpans(run).filter((s) => s.endMs > s.startMs);
  if (window === 'run') {
    const load = spans.filter((s) => LOAD_PHASES.includes(s.phase));
    if (load.length === 0) return [];
    return [
      { startMs: Math.min(...load.map((s) => s.startMs)), endMs: Math.max(...load.map((s) => s.endMs)) },
    ];
  }
  const wanted: Phase[] = window === 'steady' ? ['baseline', 'after'] : [window];
  return spans.filter((s) => wanted.includes(s.phase)).map(({ startMs, endMs }) => ({ startMs, endMs }));
}

export function inRanges(t: RunMs, ranges: readonly Range[]): boolean {
  return ranges.some((r) => t >= r.startMs && t < r.endMs);
}

/**
 * Does the run second `sec` ([sec, sec + 1) s, the unit requests are counted in) lie wholly inside
 * one of the ranges? A second cut by a range's end belongs to neither side: in a catalogue run the
 * fault began 1 ms into second 20, and second 20's bookings, all sent under the fault, were judged
 * as steady state (latency-injection, availability 99.811 % on that one request).
 */
export function secondIn(sec: number, ranges: readonly Range[]): boolean {
  return ranges.some((r) => sec * 1000 >= r.startMs && (sec + 1) * 1000 <= r.endMs);
}

/** The seconds lying wholly inside the ranges (secondIn), in order. */
export function rangeSeconds(ranges: readonly Range[]): number[] {
  const secs = new Set<number>();
  for (const r of ranges)
    for (let s = Math.ceil(r.startMs / 1000); (s + 1) * 1000 <= r.endMs; s++) secs.add(s);
  return [...secs].sort((a, b) => a - b);
}

export function describeWindow(window: SloWindow, ranges: readonly Range[]): string {
  const parts = ranges.map((r) => `${fmtSec(r.startMs)}-${fmtSec(r.endMs)} s`).join(', ');
  return `window ${window} (${parts})`;
}

function fmtSec(ms: number): string {
  return String(Math.round(ms / 100) / 10);
}

export interface FaultSpan {
  faultId: string;
  fault: string;
  targets: TargetRef[];
  startMs: RunMs;
  /** null when no fault-stop was recorded. */
  stopMs: RunMs | null;
}

/**
 * Faults as they happened: history fault-start/fault-stop events. Only when there is no history
 * at all are the planned faults used (start atSec, stop atSec + forSec, no targets).
 */
export function faultSpans(run: RunData): FaultSpan[] {
  if (run.history === null)
    return run.plan.faults.map((f) => ({
      faultId: f.id,
      fault: f.fault,
      targets: [],
      startMs: f.atSec * 1000,
      stopMs: (f.atSec + f.forSec) * 1000,
    }));
  const out: FaultSpan[] = [];
  for (const e of run.history) {
    if (e.kind === 'fault-start')
      out.push({ faultId: e.faultId, fault: e.fault, targets: e.targets, startMs: e.t, stopMs: null });
    if (e.kind === 'fault-stop') {
      const f = out.find((x) => x.faultId === e.faultId && x.stopMs === null);
      if (f) f.stopMs = e.t;
    }
  }
  return out;
}

/** The fault active at `t` (started at or before, not yet stopped), if any. */
export function faultActiveAt(faults: readonly FaultSpan[], t: RunMs): FaultSpan | undefined {
  // With overlapping faults, the one started last is the likeliest cause.
  return faults
    .filter((f) => f.startMs <= t && (f.stopMs === null || t < f.stopMs))
    .reduce<FaultSpan | undefined>(
      (best, f) => (best === undefined || f.startMs >= best.startMs ? f : best),
      undefined,
    );
}
