import type { ConsumerLagSample, HistoryEvent, Phase } from '../lib/run-format.ts';

/** One live status of a run, produced every second while it runs. */
export interface Progress {
  scenario: string;
  phase: Phase | 'starting' | 'done';
  /** Seconds since the run's time zero (load start); negative never. */
  elapsedSec: number;
  /** Planned load duration in seconds (drain comes after). */
  totalSec: number;
  /** Requests of the latest folded second and what the profile asked for (req/s). */
  rate: number | null;
  /** The run second `rate`, `intendedRate` and `p95Ms` describe (k6 seconds settle ~2-3 s late). */
  loadSec?: number | null;
  intendedRate: number | null;
  p95Ms: number | null;
  /** Errors so far, whole run. */
  errors: number;
  activeFaults: string[];
  /** Worst group's latest consumer lag. */
  lag: { sec: number; offsets: number; group: string } | null;
  /** What the runner is waiting for, when it is not load (`drain: waiting for lag 0`). */
  note?: string;
}

const ms = (v: number | null) => (v === null ? '-' : v < 10 ? v.toFixed(2) : v.toFixed(0));

/** Pure: the one-line progress shown every second (TTY) or every 5 s (logs). */
export function formatProgress(p: Progress): string {
  const rate =
    p.rate === null
      ? 'rate -'
      : `rate ${p.rate}${p.intendedRate === null ? '' : `/${Math.round(p.intendedRate)}`} req/s${p.loadSec == null ? '' : ` @${p.loadSec}s`}`;
  const faults = p.activeFaults.length > 0 ? p.activeFaults.join(',') : 'none';
  const lag = p.lag ? `${p.lag.sec.toFixed(1)} s (${p.lag.offsets} msgs, ${p.lag.group})` : '-';
  return [
    `${p.scenario} ${p.phase.padEnd(8)}`,
    `${Math.floor(p.elapsedSec)}/${p.totalSec} s`,
    rate,
    `p95 ${ms(p.p95Ms)} ms`,
    `errors ${p.errors}`,
    `faults ${faults}`,
    `max lag ${lag}`,
    ...(p.note ? [p.note] : []),
  ].join('  ');
}

/** Lag of one consumer group over a run, from its consumer-lag samples. */
export interface LagFacts {
  group: string;
  /** Highest lag seen, seconds (worst topic) and summed offsets. */
  peakSec: number;
  peakOffsets: number;
  /** Seconds from the last fault-stop to the first sample at or under `drainedSec`; null when it never got there or no fault stopped. */
  drainSec: number | null;
}

/**
 * Pure: peak lag and drain time per consumer group from a history. Drained means lag at or under
 * `drainedSec` seconds (default 1: the probe's resolution).
 */
export function lagFacts(history: readonly HistoryEvent[], drainedSec = 1): LagFacts[] {
  const stops = history.filter((e) => e.kind === 'fault-stop').map((e) => e.t);
  const lastStop = stops.length > 0 ? Math.max(...stops) : null;
  const by = new Map<string, { t: number; sec: number; offsets: number }[]>();
  for (const e of history) {
    if (e.kind !== 'sample' || e.probe !== 'consumer-lag' || !e.ok) continue;
    for (const g of (e.data as ConsumerLagSample).groups ?? []) {
      const list = by.get(g.group) ?? [];
      list.push({ t: e.t, sec: g.lagSec, offsets: g.lagOffsets });
      by.set(g.group, list);
    }
  }
  return [...by].map(([group, samples]) => {
    const sorted = [...samples].sort((a, b) => a.t - b.t);
    const back = lastStop === null ? undefined : sorted.find((s) => s.t >= lastStop && s.sec <= drainedSec);
    return {
      group,
      peakSec: Math.max(0, ...sorted.map((s) => s.sec)),
      peakOffsets: Math.max(0, ...sorted.map((s) => s.offsets)),
      drainSec: back && lastStop !== null ? Math.round((back.t - lastStop) / 100) / 10 : null,
    };
  });
}
