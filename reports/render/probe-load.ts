import type { HistoryEvent, ProbeName } from '../../lib/run-format.ts';

export interface ProbeLoad {
  /** HTTP requests per second the probes made to the platform's services, over the span. */
  totalPerSec: number;
  byProbe: { probe: ProbeName; perSec: number }[];
}

/**
 * What the harness's own probes added to the platform beside the load: the `requests` their
 * samples counted, per second of `spanSec`. Null when no sample counted any (runs recorded
 * before probes counted their requests).
 */
export function probeLoad(history: readonly HistoryEvent[] | null, spanSec: number): ProbeLoad | null {
  if (!history || spanSec <= 0) return null;
  const by = new Map<ProbeName, number>();
  for (const e of history)
    if (e.kind === 'sample' && e.requests !== undefined) by.set(e.probe, (by.get(e.probe) ?? 0) + e.requests);
  if (by.size === 0) return null;
  const byProbe = [...by.entries()]
    .map(([probe, n]) => ({ probe, perSec: n / spanSec }))
    .sort((a, b) => b.perSec - a.perSec || a.probe.localeCompare(b.probe));
  return { totalPerSec: byProbe.reduce((s, p) => s + p.perSec, 0), byProbe };
}
