import type { HistoryEvent, PlannedFault } from '../../lib/run-format.ts';
import type { RunData } from './load-run.ts';

/**
 * One way a run differed from its plan. Any of them makes the run `unknown` (architecture.md: "a
 * run that is not what was planned ... is unknown, never pass").
 *
 * Codes: `fault-not-injected` (no fault-start, or injection failed after it), `selector-matched-
 * nothing` (the selector resolved to no target), `fault-step-failed` (an apply step exited
 * non-zero), `fault-not-healed` (no fault-stop, an undo that failed and never succeeded later, or
 * a heal error), `fault-late` (its fault-start came more than FAULT_LATE_MS after the planned
 * time: the fault missed the phase the checkers judge it in), `fault-short` (healed more than
 * FAULT_LATE_MS before its planned length), `fault-unverified` (no history to tell from).
 */
export interface PlanDeviation {
  code: string;
  faultId: string;
  /** One sentence naming the fault and what happened. */
  detail: string;
}

type Ev<K extends HistoryEvent['kind']> = Extract<HistoryEvent, { kind: K }>;

/**
 * How far a fault may miss its planned start or length (ms). The runner prepares each fault ahead
 * of time and applies it on the planned second; a second late already shifts it against the phase
 * windows by more than the RTO resolution claimed (5 % of a 3 s outage is 150 ms, and a late
 * start is not in the fault's phase at all when the fault is short).
 */
export const FAULT_LATE_MS = 1000;

/** Runs recorded before `fault-error` existed say it in a note only. */
const LEGACY_NOTE = /^fault (\S+) \(.*\) was not injected as planned: (.*)$/s;

/** Problems the runner recorded for a fault, from `fault-error` events or, in older runs, its notes. */
function recordedErrors(history: readonly HistoryEvent[], faultId: string): Ev<'fault-error'>[] {
  const structured = history.filter(
    (e): e is Ev<'fault-error'> => e.kind === 'fault-error' && e.faultId === faultId,
  );
  if (structured.length > 0) return structured;
  return history.flatMap((e): Ev<'fault-error'>[] => {
    if (e.kind !== 'note') return [];
    const m = LEGACY_NOTE.exec(e.message);
    if (!m || m[1] !== faultId) return [];
    const message = m[2] ?? '';
    const codes = /matched nothing/.test(message) ? ['selector-matched-nothing'] : [];
    return [{ kind: 'fault-error', t: e.t, wall: e.wall, faultId, stage: 'inject', codes, message }];
  });
}

const what = (f: Pick<PlannedFault, 'id' | 'fault' | 'selector'>) =>
  `fault ${f.id} (${f.fault} on ${f.selector})`;

function deviationsOf(f: PlannedFault, history: readonly HistoryEvent[]): PlanDeviation[] {
  const out: PlanDeviation[] = [];
  const add = (code: string, detail: string) => out.push({ code, faultId: f.id, detail });
  const errors = recordedErrors(history, f.id);
  const injectErrors = errors.filter((e) => e.stage === 'inject');
  const said = injectErrors.map((e) => e.message).join('; ');
  const start = history.find((e): e is Ev<'fault-start'> => e.kind === 'fault-start' && e.faultId === f.id);
  if (!start) {
    const nothing = injectErrors.some((e) => e.codes.includes('selector-matched-nothing'));
    add(
      nothing ? 'selector-matched-nothing' : 'fault-not-injected',
      `${what(f)}, planned at ${f.atSec} s for ${f.forSec} s, was not injected: ${said || 'the history has no fault-start for it'}`,
    );
    return out;
  }
  if (start.targets.length === 0)
    add('selector-matched-nothing', `${what(f)} started with no target: its selector resolved to nothing`);
  const steps = history.filter((e): e is Ev<'fault-step'> => e.kind === 'fault-step' && e.faultId === f.id);
  const failedApply = steps.filter((s) => s.step === 'apply' && s.exitCode !== 0);
  for (const s of failedApply)
    add(
      'fault-step-failed',
      `${what(f)} was not applied: '${s.action}' exited ${s.exitCode}${s.detail ? ` (${s.detail})` : ''}`,
    );
  if (failedApply.length === 0 && injectErrors.length > 0)
    add('fault-not-injected', `${what(f)} was not injected as planned: ${said}`);

  const ranAsBuilt = out.length === 0 && injectErrors.length === 0;
  // fault-start is written as the first apply step begins (a step's own event is written when it
  // has finished: restarting a service with a new setting takes seconds).
  const appliedAt = start.t;
  const lateMs = appliedAt - f.atSec * 1000;
  if (lateMs > FAULT_LATE_MS)
    add(
      'fault-late',
      `${what(f)} started at ${(appliedAt / 1000).toFixed(1)} s, ${(lateMs / 1000).toFixed(1)} s after its planned ${f.atSec} s`,
    );
  const stop = history.find((e): e is Ev<'fault-stop'> => e.kind === 'fault-stop' && e.faultId === f.id);
  if (ranAsBuilt && stop && stop.t - appliedAt < f.forSec * 1000 - FAULT_LATE_MS)
    add(
      'fault-short',
      `${what(f)} lasted ${((stop.t - appliedAt) / 1000).toFixed(1)} s of its planned ${f.forSec} s`,
    );
  const stopped = stop !== undefined;
  if (!stopped) add('fault-not-healed', `${what(f)} has no fault-stop: it was never healed`);
  // An undo counts as done when its last attempt succeeded (healAll retries what recoverFault could not).
  const lastUndo = new Map<string, Ev<'fault-step'>>();
  for (const s of steps) if (s.step === 'recover') lastUndo.set(s.action, s);
  for (const s of lastUndo.values())
    if (s.exitCode !== 0)
      add(
        'fault-not-healed',
        `${what(f)} was not healed: undo '${s.action}' exited ${s.exitCode}${s.detail ? ` (${s.detail})` : ''}`,
      );
  const undone = [...lastUndo.values()].every((s) => s.exitCode === 0);
  const healErrors = errors.filter((e) => e.stage === 'heal');
  if (healErrors.length > 0 && undone && stopped)
    add('fault-not-healed', `${what(f)} was not healed: ${healErrors.map((e) => e.message).join('; ')}`);
  return out;
}

/**
 * PURE: every way the run's faults differed from plan.faults, from the history the runner wrote
 * (fault-start, fault-step, fault-stop, fault-error, and for older runs the runner's notes).
 * Empty when every planned fault was injected on some target and healed.
 */
export function planDeviations(run: Pick<RunData, 'plan' | 'history'>): PlanDeviation[] {
  const planned = run.plan.faults;
  if (run.history === null)
    return planned.map((f) => ({
      code: 'fault-unverified',
      faultId: f.id,
      detail: `${what(f)}: history.jsonl is missing, so nothing shows it was injected and healed`,
    }));
  const history = run.history;
  return planned.flatMap((f) => deviationsOf(f, history));
}
