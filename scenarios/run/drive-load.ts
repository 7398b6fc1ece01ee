import {
  applyFault,
  type FaultDeps,
  healProblems,
  type PreparedFault,
  prepareFault,
  recoverFault,
  sleep,
} from '../../chaos/run-fault.ts';
import { type Problem, WindshearError } from '../../lib/errors.ts';
import type { LedgerOp, RunPlan } from '../../lib/run-format.ts';
import { openJsonl } from '../../lib/run-store/jsonl-sink.ts';
import { RUN_FILES } from '../../lib/run-store/run-files.ts';
import { writeRunJson } from '../../lib/run-store/write-run-file.ts';
import { runLedger } from '../../loadgen/ledger/ledger-client.ts';
import { generatorRecord, type LoadRunSummary, runLoad } from '../../loadgen/run-load.ts';
import { DEFAULT_API_KEY } from '../../system/contracts.ts';
import type { RunStack } from './ensure-stack.ts';
import type { ReadyStack } from './get-ready.ts';
import type { PreparedRun } from './prepare-run.ts';
import type { RunContext } from './run-context.ts';
import { errText } from './stack-calls.ts';

/**
 * How long before its planned time a fault's targets are resolved. The view reads every
 * component; resolved at the planned second, faults started 1.2–3.9 s late on a loaded 2-core machine; a selector's role (a partition leader, the Redis
 * primary) is read this long before the fault, which is then applied on its planned second.
 */
export const FAULT_PREPARE_LEAD_MS = 8000;

/**
 * Each planned fault on its own timer from time zero: prepare (resolve the selector)
 * FAULT_PREPARE_LEAD_MS ahead, apply on its planned second, hold for `forSec`, recover. A fault that is not injected or not healed as planned is a note and a
 * `fault-error` event, never a crash.
 */
export function runFaultTimeline(ctx: RunContext, plan: RunPlan, seed: number): Promise<void>[] {
  const deps: FaultDeps = {
    platform: ctx.platform,
    journalPath: ctx.journalPath,
    onEvent: ctx.emit,
    clock: ctx.clock,
  };
  const prepared: PreparedFault[] = [];
  const signal = ctx.abort.signal;
  return plan.faults.map(async (f) => {
    // Resolve the targets (a cluster view of every component: seconds under load) ahead of the
    // planned time, then apply on it: a late fault misses the phase it is judged in.
    await sleep(f.atSec * 1000 - FAULT_PREPARE_LEAD_MS - ctx.clock.t(), signal);
    if (signal.aborted) return;
    try {
      const p = await prepareFault(
        {
          faultId: f.id,
          fault: f.fault,
          selector: f.selector,
          ...(f.params ? { params: f.params } : {}),
          forSec: f.forSec,
          seed,
        },
        deps,
      );
      prepared.push(p);
      await sleep(f.atSec * 1000 - ctx.clock.t(), signal);
      if (signal.aborted) return;
      const { aborted } = await applyFault(p, deps, signal);
      if (!aborted) await sleep(f.forSec * 1000, signal);
      const heal = await recoverFault(p, deps);
      const left = healProblems(heal);
      for (const pr of left) ctx.note('error', `${f.id}: ${pr.message}`);
      if (left.length > 0) ctx.faultError(f.id, 'heal', left);
    } catch (e) {
      const problems: Problem[] =
        e instanceof WindshearError ? e.problems : [{ code: 'internal', message: errText(e) }];
      const msg = problems.map((p) => p.message).join('; ');
      ctx.note('error', `fault ${f.id} (${f.fault} on ${f.selector}) was not injected as planned: ${msg}`);
      ctx.faultError(f.id, 'inject', problems);
    }
  });
}

/** Stage: from time zero, concurrently, the load engine, the ledger of checkable writes and the fault timeline. */
export async function driveLoad(
  ctx: RunContext,
  prep: PreparedRun,
  stack: RunStack,
  ready: ReadyStack,
): Promise<{ load: LoadRunSummary; ledgerOps: LedgerOp[] }> {
  const { plan, seed } = prep;
  const faultRuns = runFaultTimeline(ctx, plan, seed);
  const ledgerOut = openJsonl(ctx.runDir, RUN_FILES.ledger);
  const runId = `${prep.loaded.scenario.name}-${ctx.epochStart.toString(36)}`;
  const [load, ledgerOps] = await Promise.all([
    runLoad({
      engine: prep.engine,
      bin: prep.engineBin,
      plan: prep.loadPlan,
      target: {
        baseUrl: stack.edge,
        apiKey: DEFAULT_API_KEY,
        runId,
        airports: ready.hints.airports,
        dates: ready.hints.dates,
        flightIds: ready.flightIds,
      },
      outDir: ctx.runDir,
      signal: ctx.abort.signal,
      runStartEpochMs: ctx.epochStart,
      onSecond: (p) => {
        ctx.live.load = p;
      },
    }),
    runLedger({
      edgeUrl: stack.edge,
      apiKey: DEFAULT_API_KEY,
      ingestUrls: stack.ingestUrls,
      reservationsPerSec: plan.ledger.reservationsPerSec,
      fareUpdatesPerSec: plan.ledger.fareUpdatesPerSec,
      durationSec: plan.durationSec,
      flightIds: ready.flightIds,
      runId,
      runStartPerfMs: ctx.perfStart,
      out: ledgerOut,
      signal: ctx.abort.signal,
    }),
    Promise.all(faultRuns),
  ]);
  return { load, ledgerOps };
}

/** Stage: generator.json, the load engine's self-check. */
export async function recordGenerator(ctx: RunContext, load: LoadRunSummary): Promise<void> {
  await writeRunJson(ctx.runDir, RUN_FILES.generator, generatorRecord(load));
}
