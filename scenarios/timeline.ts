import type { Phase } from '../lib/run-format.ts';

/** A fault placed on the load's clock; `index` is its position in the scenario's `faults` list. */
export interface TimelineFault {
  index: number;
  id: string;
  atSec: number;
  forSec: number;
}

/** Faults whose windows overlap form one group: one fault phase, then one recovery phase. */
export interface FaultGroup {
  faultIds: string[];
  startSec: number;
  endSec: number;
}

export interface TimelineIssue {
  code: 'fault-past-end' | 'recovery-past-end' | 'phase-overlap' | 'baseline-too-short';
  /** Index into `faults`, and which of its fields is wrong. */
  index: number;
  field: 'at' | 'for';
  message: string;
  fix: string;
}

export interface Timeline {
  /** Phase boundaries in seconds since load start, ending with `drain` at the load's end. */
  phases: { phase: Phase; atSec: number }[];
  groups: FaultGroup[];
  issues: TimelineIssue[];
}

/** A fault needs this much baseline before it so there is a healthy SLI to recover to. */
export const MIN_BASELINE_SEC = 10;

/** Seconds rounded to the millisecond, so stretched timelines carry no float noise. */
export function roundSec(sec: number): number {
  return Math.round(sec * 1000) / 1000;
}

/**
 * Pure: the phases of a load of `durationSec` with these faults. Each fault group is followed by a
 * recovery phase of `recoverySec`; a fault that starts inside another group's recovery phase would
 * make that recovery unmeasurable, so it is an issue (start it with the group, or after it).
 */
export function buildTimeline(input: {
  durationSec: number;
  recoverySec: number;
  /** Seconds of unjudged load first (phase `warmup`); the baseline starts after them. */
  warmupSec?: number;
  faults: readonly TimelineFault[];
}): Timeline {
  const { durationSec, recoverySec } = input;
  const warmupSec = input.warmupSec ?? 0;
  const faults = [...input.faults].sort((a, b) => a.atSec - b.atSec || a.index - b.index);
  const issues: TimelineIssue[] = [];
  const groups: (FaultGroup & { last: TimelineFault })[] = [];

  const first = faults[0];
  if (first && first.atSec < warmupSec + MIN_BASELINE_SEC) {
    const after = warmupSec > 0 ? ` after the ${warmupSec} s warm-up` : '';
    issues.push({
      code: 'baseline-too-short',
      index: first.index,
      field: 'at',
      message: `fault "${first.id}" starts at ${first.atSec} s, leaving less than ${MIN_BASELINE_SEC} s of baseline${after}`,
      fix: `start the first fault at ${roundSec(warmupSec + MIN_BASELINE_SEC)}s or later so the baseline has data to recover to`,
    });
  }
  for (const f of faults) {
    const end = roundSec(f.atSec + f.forSec);
    if (end > durationSec) {
      issues.push({
        code: 'fault-past-end',
        index: f.index,
        field: f.atSec >= durationSec ? 'at' : 'for',
        message: `fault "${f.id}" runs ${f.atSec}–${end} s, past the end of the load at ${durationSec} s`,
        fix: `end it by ${durationSec - recoverySec} s (leaving the ${recoverySec} s recovery phase) or raise load.durationSec to at least ${roundSec(end + recoverySec)}`,
      });
    }
    const g = groups.at(-1);
    if (g && f.atSec < g.endSec) {
      g.faultIds.push(f.id);
      if (end > g.endSec) {
        g.endSec = end;
        g.last = f;
      }
      continue;
    }
    if (g && f.atSec < g.endSec + recoverySec) {
      issues.push({
        code: 'phase-overlap',
        index: f.index,
        field: 'at',
        message: `fault "${f.id}" starts at ${f.atSec} s, inside the recovery phase of ${g.faultIds.map((id) => `"${id}"`).join(', ')} (${g.endSec}–${roundSec(g.endSec + recoverySec)} s)`,
        fix: `start it at ${roundSec(g.endSec + recoverySec)}s or later, or before ${g.endSec}s to run it together with that fault`,
      });
    }
    groups.push({ faultIds: [f.id], startSec: f.atSec, endSec: end, last: f });
  }
  for (const g of groups) {
    const recoveredAt = roundSec(g.endSec + recoverySec);
    if (g.endSec <= durationSec && recoveredAt > durationSec) {
      issues.push({
        code: 'recovery-past-end',
        index: g.last.index,
        field: 'for',
        message: `the recovery phase after fault "${g.last.id}" (${g.endSec}–${recoveredAt} s) runs past the end of the load at ${durationSec} s`,
        fix: `raise load.durationSec to at least ${recoveredAt}, shorten the fault, or lower recoverySec`,
      });
    }
  }

  const phases: { phase: Phase; atSec: number }[] = [];
  // Later marks win over earlier ones at the same or a later second (zero-length phases vanish).
  const mark = (phase: Phase, atSec: number) => {
    while (phases.length > 0 && phases.at(-1)!.atSec >= atSec) phases.pop();
    if (phases.at(-1)?.phase !== phase) phases.push({ phase, atSec });
  };
  if (warmupSec > 0) mark('warmup', 0);
  mark('baseline', Math.min(warmupSec, durationSec));
  groups.forEach((g, i) => {
    mark('fault', g.startSec);
    if (recoverySec > 0) mark('recovery', g.endSec);
    const next = groups[i + 1]?.startSec ?? durationSec;
    const recoveredAt = roundSec(g.endSec + recoverySec);
    if (recoveredAt < next) mark('after', recoveredAt);
  });
  mark('drain', durationSec);
  return { phases, groups: groups.map(({ last: _last, ...g }) => g), issues };
}
