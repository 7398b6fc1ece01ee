import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { EXIT, type Problem, WindshearError } from '../lib/errors.ts';
import type { HistoryEvent, TargetRef } from '../lib/run-format.ts';
import type { Topology } from '../system/topology.ts';
import { type ClusterView, observeCluster } from './cluster-view.ts';
import { FAULTS, findFault, type RegisteredFault } from './faults/index.ts';
import { describeStep, type FaultTarget, type Plan, type Step, undoOf } from './faults/step.ts';
import { guardSteps, guardTargets } from './guard.ts';
import { append, bindingKey, readJournal, type UndoRecord, withJournalLock } from './journal.ts';
import type { Capabilities, Platform, StepResult } from './platforms/platform.ts';
import { isRefusal, type Refusal, refusal, refusalError } from './refusal.ts';
import { parseSelector, resolve } from './select.ts';

/**
 * The executor: the only place faults touch the platform. Order of one injection:
 *   prepare (pure checks + one observation; refuses before anything changes)
 *   apply   (for each step: journal its undo, THEN run it, then emit fault-step)
 *   recover (replay this fault's outstanding undos, last first; emit fault-stop)
 * healAll replays every outstanding undo of the journal, whoever wrote it.
 */

export interface FaultClock {
  /** Milliseconds since the run started (HistoryEvent.t). */
  t(): number;
  wall(): string;
}

export function startClock(): FaultClock {
  const start = performance.now();
  return { t: () => Math.round(performance.now() - start), wall: () => new Date().toISOString() };
}

export type EventSink = (e: HistoryEvent) => void;

export interface FaultDeps {
  platform: Platform;
  /** JSONL undo journal, e.g. `<state dir>/journal.jsonl` (lib/paths.ts). */
  journalPath: string;
  onEvent: EventSink;
  clock?: FaultClock;
  /** Live roles; default `observeCluster(topology, { status: platform.status })`. */
  observe?: (topology: Topology) => Promise<ClusterView>;
}

export interface FaultRequest {
  /** Unique within a run, e.g. the scenario's fault id; the CLI uses `adhoc-<time>`. */
  faultId: string;
  fault: string;
  /** Selector text; the fault's default selector when absent. */
  selector?: string;
  params?: Record<string, unknown>;
  /** Planned duration in seconds; null/undefined means "until healed". */
  forSec?: number | null;
  /** Fallback seed for seeded selectors that name none (the run's seed). */
  seed?: number;
}

export interface PreparedFault {
  faultId: string;
  /** Unique per injection; keys this fault's lines in the journal. */
  instance: string;
  fault: RegisteredFault;
  selector: string;
  targets: FaultTarget[];
  plan: Plan;
}

export interface HealReport {
  /** Undo steps that ran with exit code 0 and are marked done. */
  healed: number;
  /** Undo steps that failed; still outstanding, a later heal retries them. */
  failed: { faultId: string; action: string; exitCode: number; detail?: string }[];
  /** Undo steps that can never run (a rule whose id was never recorded); marked done. */
  unresolved: { faultId: string; action: string; detail: string }[];
  /** Journal lines that could not be read. */
  skipped: number;
}

function refuse(r: Refusal): never {
  throw refusalError(r);
}

/** In-process faults that have started and not yet stopped, so healAll reports into their run. */
const active = new Map<string, { faultId: string; journal: string; onEvent: EventSink; clock: FaultClock }>();

/**
 * The static checks of one fault, PURE and with every problem at once: fault kind, params,
 * duration, platform capabilities, selector syntax. The scenario planner calls it for the whole
 * schedule before anything starts; prepareFault calls it again at injection time.
 */
export function checkFaultSpec(
  req: Pick<FaultRequest, 'fault' | 'selector' | 'params' | 'forSec'>,
  caps: Capabilities,
  platformName = 'this',
): Problem[] {
  const fault = findFault(req.fault);
  if (!fault) {
    return [
      problemOf(
        refusal(
          'unknown-fault',
          `unknown fault '${req.fault}'`,
          `faults: ${[...FAULTS.keys()].join(', ')} (see \`windshear chaos list\`)`,
        ),
      ),
    ];
  }
  const problems: Problem[] = [];
  const checked = fault.checkParams(req.params ?? {});
  if (!checked.ok) problems.push(...checked.problems);
  if (fault.requiresFor && !(req.forSec && req.forSec > 0)) {
    problems.push(
      problemOf(
        refusal(
          'fault-needs-duration',
          `${fault.name} needs a duration`,
          'give one: --for 10s (scenario: forSec)',
        ),
      ),
    );
  }
  for (const need of fault.needs) {
    if (caps[need]) continue;
    const why = caps.missing[need] ?? `the ${platformName} platform does not offer ${need}`;
    problems.push(
      problemOf(
        refusal(
          'platform-cannot',
          `${fault.name} needs ${need}, which this platform cannot do: ${why}`,
          need === 'processFaults'
            ? 'use a platform that manages processes'
            : 'bring the stack up as root so each AZ is a network namespace (`sudo windshear up`), or pick a process fault',
        ),
      ),
    );
  }
  const selectorText = req.selector ?? fault.defaultSelector;
  if (!selectorText) {
    problems.push(
      problemOf(
        refusal(
          'selector-missing',
          `${fault.name} needs a target`,
          'give one: --target kafka:controller-leader',
        ),
      ),
    );
  } else {
    const parsed = parseSelector(selectorText);
    if (!parsed.ok) {
      problems.push(
        problemOf(
          refusal('selector-syntax', parsed.message, parsed.fix ?? 'see chaos/README.md for selector forms'),
        ),
      );
    }
  }
  return problems;
}

function problemOf(r: Refusal): Problem {
  return { code: r.code, message: r.message, fix: r.fix };
}

/**
 * Every check, in order, before anything changes: fault kind, params, duration, platform
 * capabilities, selector syntax, topology up, live roles, resolution, target kinds, blast radius,
 * plan. Throws a WindshearError (exit 254) naming the next step; never touches the platform.
 */
export async function prepareFault(req: FaultRequest, deps: FaultDeps): Promise<PreparedFault> {
  const problems = checkFaultSpec(req, deps.platform.capabilities(), deps.platform.name);
  if (problems.length) throw new WindshearError(problems, EXIT.badInput);
  const fault = findFault(req.fault);
  const selectorText = req.selector ?? fault?.defaultSelector;
  const parsed = parseSelector(selectorText ?? '');
  if (!fault || !selectorText || !parsed.ok) throw new Error('checkFaultSpec let an invalid fault through');
  const params = req.params ?? {};
  const topology = deps.platform.current();
  if (!topology) {
    refuse(
      refusal(
        'nothing-up',
        'no topology is up, so there is nothing windshear may touch',
        'bring the stack up first: `windshear up`',
      ),
    );
  }
  const observe =
    deps.observe ?? ((t: Topology) => observeCluster(t, { status: () => deps.platform.status() }));
  const view = await observe(topology);
  const resolved = resolve(parsed.selector, view, topology, req.seed !== undefined ? { seed: req.seed } : {});
  if (isRefusal(resolved)) {
    refuse(resolved);
  }
  const kindProblem = checkTargetKinds(fault, resolved);
  if (kindProblem) refuse(kindProblem);
  const outside = guardTargets(resolved, topology);
  if (outside) refuse(outside);
  const built = fault.build(resolved, params);
  if (!built.ok) throw new WindshearError(built.problems, EXIT.badInput);
  if (built.plan.apply.length === 0) {
    refuse(
      refusal(
        'fault-plan-empty',
        `${fault.name} on '${selectorText}' has nothing to do`,
        'pick targets this fault applies to',
      ),
    );
  }
  const badStep = guardSteps([...built.plan.apply, ...built.plan.recover], topology);
  if (badStep) refuse(badStep);
  return {
    faultId: req.faultId,
    instance: `${req.faultId}@${randomUUID().slice(0, 8)}`,
    fault,
    selector: selectorText,
    targets: resolved,
    plan: built.plan,
  };
}

function checkTargetKinds(fault: RegisteredFault, targets: readonly FaultTarget[]): Refusal | null {
  for (const t of targets) {
    if (t.kind === 'az' && fault.accepts === 'components') {
      return refusal(
        'fault-target-kind',
        `${fault.name} acts on components, not on a whole AZ (${t.name})`,
        `use az-outage for an AZ, or select its components, e.g. service:search-api(az=${t.name})`,
      );
    }
    if (t.kind !== 'az' && fault.accepts === 'azs') {
      return refusal(
        'fault-target-kind',
        `${fault.name} acts on whole AZs, not on ${t.name}`,
        'select an AZ, e.g. az:az-b',
      );
    }
    const network = fault.needs.includes('networkFaults') || fault.needs.includes('azOutage');
    if (t.az === 'edge' && network) {
      return refusal(
        'fault-target-kind',
        `${fault.name} cannot act on ${t.name}: it sits on the host, outside every AZ`,
        'use ingress-pause (or kill/pause) for the edge',
      );
    }
    if (fault.name === 'ingress-pause' && t.kind !== 'haproxy') {
      return refusal(
        'fault-target-kind',
        `ingress-pause pauses the HAProxy edge, not ${t.name}`,
        'use --target haproxy, or the pause fault',
      );
    }
  }
  return null;
}

/** TargetRef for history. TargetRef.az has no `edge` yet; the edge is written as `edge`. */
function toRef(t: FaultTarget, topology: Topology | null): TargetRef {
  const members =
    t.kind === 'az' && topology ? topology.components.filter((c) => c.az === t.az).map((c) => c.name) : [];
  return {
    name: t.name,
    az: t.az as TargetRef['az'],
    ...(t.role ? { role: t.role } : {}),
    ...(members.length ? { members } : {}),
  };
}

async function runStep(
  platform: Platform,
  step: Step,
  ruleIds: (ref: string) => string | undefined,
): Promise<StepResult & { id?: string }> {
  const action = describeStep(step);
  try {
    switch (step.op) {
      case 'kill':
        return await platform.kill(step.name, step.signal);
      case 'start':
        return await platform.start(step.name);
      case 'pause':
        return await platform.pause(step.name);
      case 'resume':
        return await platform.resume(step.name);
      case 'partition':
        return await platform.partition(step.spec);
      case 'shape':
        return await platform.shape(step.spec);
      case 'heal': {
        const id = ruleIds(step.ref);
        if (id === undefined)
          return { action, exitCode: 1, detail: `no rule id was recorded for ${step.ref}` };
        return await platform.heal(id);
      }
      case 'az-down':
        return await platform.azDown(step.az);
      case 'az-up':
        return await platform.azUp(step.az);
      case 'reconfigure':
        return await platform.reconfigure(step.name, step.env);
    }
  } catch (err) {
    return { action, exitCode: -1, detail: err instanceof Error ? err.message : String(err) };
  }
}

function stepEvent(
  clock: FaultClock,
  faultId: string,
  step: 'apply' | 'recover',
  s: Step,
  r: StepResult,
): HistoryEvent {
  return {
    kind: 'fault-step',
    t: clock.t(),
    wall: clock.wall(),
    faultId,
    step,
    action: describeStep(s),
    exitCode: r.exitCode,
    ...(r.detail ? { detail: r.detail } : {}),
  };
}

/**
 * Steps in the order they run: each alone, except that consecutive `reconfigure` steps (restarts
 * of different services, ~15 s each under load) run together, so a fault that reconfigures every
 * instance takes one restart's time to apply and to recover, not the sum.
 */
export function stepGroups<T>(items: T[], stepOf: (item: T) => Step): T[][] {
  const groups: T[][] = [];
  for (const item of items) {
    const last = groups.at(-1);
    if (last && stepOf(item).op === 'reconfigure' && stepOf(last[0]!).op === 'reconfigure') last.push(item);
    else groups.push([item]);
  }
  return groups;
}

/**
 * Emits fault-start, then runs each apply step (or group, see stepGroups) after journaling its
 * undo. Stops early when `signal` aborts (a signal handler is healing). A failing step recovers
 * this fault and throws.
 */
export async function applyFault(
  p: PreparedFault,
  deps: FaultDeps,
  signal?: AbortSignal,
): Promise<{ aborted: boolean }> {
  const clock = deps.clock ?? startClock();
  active.set(p.instance, {
    faultId: p.faultId,
    journal: path.resolve(deps.journalPath),
    onEvent: deps.onEvent,
    clock,
  });
  deps.onEvent({
    kind: 'fault-start',
    t: clock.t(),
    wall: clock.wall(),
    faultId: p.faultId,
    fault: p.fault.name,
    selector: p.selector,
    targets: p.targets.map((t) => toRef(t, deps.platform.current())),
  });
  const bound = new Map<string, string>();
  const steps = p.plan.apply.map((step, i) => ({ step, i }));
  for (const group of stepGroups(steps, (x) => x.step)) {
    if (signal?.aborted) return { aborted: true };
    const results = await withJournalLock(deps.journalPath, async () => {
      for (const { step, i } of group) {
        const undo = undoOf(step);
        if (undo) {
          append(deps.journalPath, {
            type: 'undo',
            id: `${p.instance}/${i}`,
            instance: p.instance,
            faultId: p.faultId,
            fault: p.fault.name,
            step: undo,
            wall: clock.wall(),
          });
        }
      }
      return Promise.all(
        group.map(async ({ step }) => {
          const r = await runStep(deps.platform, step, (ref) => bound.get(ref));
          if ((step.op === 'partition' || step.op === 'shape') && r.id !== undefined) {
            bound.set(step.ref, r.id);
            append(deps.journalPath, {
              type: 'bound',
              instance: p.instance,
              ref: step.ref,
              ruleId: r.id,
              wall: clock.wall(),
            });
          }
          deps.onEvent(stepEvent(clock, p.faultId, 'apply', step, r));
          return { step, r };
        }),
      );
    });
    const failed = results.find(({ r }) => r.exitCode !== 0);
    if (failed) {
      const report = await recoverFault(p, deps);
      const problems: Problem[] = [
        {
          code: 'fault-step-failed',
          message: `${p.fault.name} (${p.faultId}): '${describeStep(failed.step)}' exited ${failed.r.exitCode}${failed.r.detail ? `: ${failed.r.detail}` : ''}; what was applied has been undone`,
          fix: 'check the component with `windshear status` and `windshear logs <component>`',
        },
        ...healProblems(report),
      ];
      throw new WindshearError(problems, EXIT.unknown);
    }
  }
  return { aborted: false };
}

/** Replays this fault's outstanding undos, last first, then emits fault-stop (once). */
export async function recoverFault(
  p: Pick<PreparedFault, 'faultId' | 'instance'>,
  deps: FaultDeps,
): Promise<HealReport> {
  const report = await replay(
    deps.platform,
    deps.journalPath,
    (u) => u.instance === p.instance,
    deps.onEvent,
    deps.clock,
  );
  stopOnce(p.instance);
  return report;
}

/**
 * Injects a fault: prepare, apply, hold for `forSec` (or until `signal` aborts), recover.
 * With `forSec` null/undefined it returns right after applying and the fault stays injected
 * until `recoverFault` or `healAll`.
 */
export async function injectFault(
  req: FaultRequest,
  deps: FaultDeps,
  opts: { signal?: AbortSignal; onApplied?: (p: PreparedFault) => void } = {},
): Promise<{ prepared: PreparedFault; heal: HealReport | null }> {
  const prepared = await prepareFault(req, deps);
  const { aborted } = await applyFault(prepared, deps, opts.signal);
  if (!aborted) opts.onApplied?.(prepared);
  if (req.forSec == null && !aborted) return { prepared, heal: null };
  if (!aborted && req.forSec) await sleep(req.forSec * 1000, opts.signal);
  const heal = await recoverFault(prepared, deps);
  const problems = healProblems(heal);
  if (problems.length) throw new WindshearError(problems, EXIT.unknown);
  return { prepared, heal };
}

/**
 * Replays every outstanding undo in the journal, last first, and marks each done. Idempotent:
 * a second call finds nothing outstanding. Safe after a crash: needs only the journal file.
 */
export async function healAll(
  platform: Platform,
  journalPath: string,
  opts: { onEvent?: EventSink; clock?: FaultClock } = {},
): Promise<HealReport> {
  const report = await replay(platform, journalPath, () => true, opts.onEvent, opts.clock);
  const left = new Set(readJournal(journalPath).outstanding.map((u) => u.instance));
  for (const [instance, a] of [...active]) {
    if (a.journal === path.resolve(journalPath) && !left.has(instance)) stopOnce(instance);
  }
  return report;
}

async function replay(
  platform: Platform,
  journalPath: string,
  which: (u: UndoRecord) => boolean,
  onEvent: EventSink | undefined,
  clock: FaultClock | undefined,
): Promise<HealReport> {
  return withJournalLock(journalPath, async () => {
    const state = readJournal(journalPath);
    const report: HealReport = { healed: 0, failed: [], unresolved: [], skipped: state.skipped };
    const fallbackClock = clock ?? startClock();
    const undos = [...state.outstanding].filter(which).reverse();
    for (const group of stepGroups(undos, (u) => u.step)) {
      const ran = await Promise.all(
        group.map(async (u) => ({
          u,
          r: await runStep(platform, u.step, (ref) => state.bindings.get(bindingKey(u.instance, ref))),
        })),
      );
      for (const { u, r } of ran) {
        const owner = active.get(u.instance);
        const sink = owner?.onEvent ?? onEvent;
        const c = owner?.clock ?? fallbackClock;
        sink?.(stepEvent(c, u.faultId, 'recover', u.step, r));
        const action = describeStep(u.step);
        const unbound = u.step.op === 'heal' && !state.bindings.has(bindingKey(u.instance, u.step.ref));
        if (r.exitCode === 0) {
          report.healed++;
          append(journalPath, { type: 'done', id: u.id, exitCode: 0, wall: c.wall() });
        } else if (unbound) {
          // The apply step never returned an id (it failed, or the harness died inside it).
          const detail = r.detail ?? 'no rule id recorded';
          report.unresolved.push({ faultId: u.faultId, action, detail });
          append(journalPath, { type: 'done', id: u.id, exitCode: r.exitCode, detail, wall: c.wall() });
        } else {
          report.failed.push({
            faultId: u.faultId,
            action,
            exitCode: r.exitCode,
            ...(r.detail ? { detail: r.detail } : {}),
          });
        }
      }
    }
    return report;
  });
}

/** Emits fault-stop into the fault's own history, once, when it was started in this process. */
function stopOnce(instance: string): void {
  const owner = active.get(instance);
  if (!owner) return;
  active.delete(instance);
  owner.onEvent({ kind: 'fault-stop', t: owner.clock.t(), wall: owner.clock.wall(), faultId: owner.faultId });
}

/** Problems to report for a heal that did not finish; empty when everything healed. */
export function healProblems(r: HealReport): Problem[] {
  return [
    ...r.failed.map((f) => ({
      code: 'heal-failed',
      message: `could not undo '${f.action}' of ${f.faultId}: exit ${f.exitCode}${f.detail ? `: ${f.detail}` : ''}`,
      fix: 'retry with `windshear chaos heal`; if it keeps failing, `windshear down` removes everything',
    })),
    ...r.unresolved.map((u) => ({
      code: 'heal-unresolved',
      message: `cannot undo '${u.action}' of ${u.faultId}: ${u.detail}`,
      fix: '`windshear down` removes every rule and process windshear created',
    })),
  ];
}

/** Resolves after `ms`, or early when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

const SIGNAL_EXIT: Record<'SIGINT' | 'SIGTERM', number> = { SIGINT: 130, SIGTERM: 143 };

/**
 * On SIGINT/SIGTERM: abort `signal` (running injections stop applying), heal everything in the
 * journal, then `exit(130|143)`. A second signal while healing exits at once and says how to
 * finish healing. The runner installs this for the whole run and calls `uninstall` at the end.
 */
export function installHealOnSignals(opts: {
  platform: Platform;
  journalPath: string;
  onEvent?: EventSink;
  clock?: FaultClock;
  log?: (line: string) => void;
  exit?: (code: number) => void;
  /** Where signals arrive; `process` unless a test passes an emitter. */
  signals?: Pick<NodeJS.EventEmitter, 'on' | 'off'>;
}): { signal: AbortSignal; uninstall(): void } {
  const controller = new AbortController();
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  let healing = false;
  const handler = (sig: 'SIGINT' | 'SIGTERM') => {
    if (healing) {
      log(`${sig} again: exiting without finishing the heal; run \`windshear chaos heal\` to finish it`);
      exit(SIGNAL_EXIT[sig]);
      return;
    }
    healing = true;
    controller.abort();
    log(`${sig}: healing every fault before exiting (press Ctrl-C again to skip)`);
    const clock = opts.clock ?? startClock();
    opts.onEvent?.({
      kind: 'note',
      t: clock.t(),
      wall: clock.wall(),
      level: 'warn',
      message: `${sig}: healing every fault`,
    });
    healAll(opts.platform, opts.journalPath, { ...(opts.onEvent ? { onEvent: opts.onEvent } : {}), clock })
      .then((r) => {
        const problems = healProblems(r);
        log(
          problems.length
            ? problems.map((p) => `${p.message}\n  fix: ${p.fix}`).join('\n')
            : `healed ${r.healed} step(s)`,
        );
      })
      .catch((err: unknown) =>
        log(`heal failed: ${err instanceof Error ? err.message : String(err)}; run \`windshear chaos heal\``),
      )
      .finally(() => exit(SIGNAL_EXIT[sig]));
  };
  const onInt = () => handler('SIGINT');
  const onTerm = () => handler('SIGTERM');
  const source = opts.signals ?? process;
  source.on('SIGINT', onInt);
  source.on('SIGTERM', onTerm);
  return {
    signal: controller.signal,
    uninstall: () => {
      source.off('SIGINT', onInt);
      source.off('SIGTERM', onTerm);
    },
  };
}
