import type { Platform } from '../chaos/platforms/platform.ts';
import { raiseHarnessPriority } from '../lib/priority.ts';
import type { RunResults } from '../lib/run-format.ts';
import type { LoadRunSummary } from '../loadgen/run-load.ts';
import type { ProfileName } from './profiles.ts';
import type { Progress } from './progress.ts';
import { healLeftovers, readBackLedger, settleAndDrain, stopMeasuring } from './run/after-load.ts';
import { driveLoad, recordGenerator } from './run/drive-load.ts';
import { ensureStack } from './run/ensure-stack.ts';
import { finishRun, judgeAndRender, recordRunError } from './run/finish-run.ts';
import { getReady } from './run/get-ready.ts';
import { prepareRun } from './run/prepare-run.ts';
import { recordPlan } from './run/record-plan.ts';
import { openRunContext } from './run/run-context.ts';
import { startTimeZero } from './run/start-time-zero.ts';

export { DRAIN_BOUND_MS } from './run/after-load.ts';
export { FAULT_PREPARE_LEAD_MS } from './run/drive-load.ts';
export { READY_BOUND_MS } from './run/get-ready.ts';
export { DEFAULT_SEED, preflightProblems } from './run/prepare-run.ts';
export { warmUp } from './run/stack-calls.ts';

export interface RunScenarioOptions {
  /** Catalogue name or path to a scenario file. */
  scenario: string;
  profile: ProfileName;
  scale?: number;
  seed?: number;
  /** Leave a stack this run brought up running afterwards. */
  keep?: boolean;
  /** Run directory; default reports/runs/<scenario>/<UTC stamp>. */
  outDir?: string;
  onProgress?: (p: Progress) => void;
  /** Short lines about what the runner does (bring-up, heal, drain). */
  onLog?: (line: string) => void;
  signal?: AbortSignal;
  /** Default: the local platform. */
  platform?: Platform;
  /** Load engine (`ws-load`, `k6`); default WINDSHEAR_ENGINE, else ws-load. */
  engine?: string;
}

export interface RunScenarioResult {
  runDir: string;
  results: RunResults;
  /** 130/143 when a signal stopped the run (faults were healed first), else null. */
  signalExit: number | null;
  load: LoadRunSummary | null;
  wallMs: number;
}

/**
 * One run, as architecture.md's "One run", in named stages (scenarios/run/): prepare (load,
 * validate, plan, refuse what the platform cannot do) → record the plan → bring the stack up if
 * none is → get ready (wait, feed, warm up) → time zero (probes, phases) → load │ ledger │ fault
 * timeline → generator self-check → heal leftovers → settle and drain → read back the ledger → stop measuring → finish
 * (always: heal, run-end, logs, down) → judge → render. Every file of the run directory is
 * written through lib/run-store.
 */
export async function runScenario(opts: RunScenarioOptions): Promise<RunScenarioResult> {
  const wallStart = Date.now();
  const log = opts.onLog ?? (() => {});
  const prep = await prepareRun(opts);
  const { scenario } = prep.loaded;
  const runDir = await recordPlan(scenario, prep.plan, opts.outDir);
  const stack = await ensureStack(prep.platform, opts.profile, log);
  // After the stack is up (its processes keep niceness 0): the harness runs ahead of the platform.
  const nice = raiseHarnessPriority();
  if (nice < 0) log(`measuring at niceness ${nice}, ahead of the platform`);
  const ctx = openRunContext({
    runDir,
    platform: prep.platform,
    log,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  let load: LoadRunSummary | null = null;
  try {
    const ready = await getReady(ctx, stack, { ...prep.plan, seed: prep.seed });
    const measured = startTimeZero(
      ctx,
      {
        scenario,
        plan: prep.plan,
        seed: prep.seed,
        stack,
        feedFailed: ready.feedFailed,
        steady: ready.steady,
      },
      opts.onProgress,
    );
    const driven = await driveLoad(ctx, prep, stack, ready);
    load = driven.load;
    await recordGenerator(ctx, load);
    measured.clearPhaseTimers();
    await healLeftovers(ctx);
    measured.setPhase('drain');
    await settleAndDrain(ctx, scenario, stack);
    await readBackLedger(ctx, stack, driven.ledgerOps, ready.flightIds);
    await stopMeasuring(ctx, measured);
  } catch (e) {
    recordRunError(ctx, e);
    if (!ctx.history) throw e;
  } finally {
    await finishRun(ctx, stack, opts.keep ?? false);
  }
  const results = await judgeAndRender(runDir, prep.loaded);
  return { runDir, results, signalExit: ctx.status.signalExit, load, wallMs: Date.now() - wallStart };
}
