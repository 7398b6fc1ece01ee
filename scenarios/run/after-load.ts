import { healAll, healProblems, sleep } from '../../chaos/run-fault.ts';
import type { LedgerOp } from '../../lib/run-format.ts';
import { RUN_FILES } from '../../lib/run-store/run-files.ts';
import { writeRunJson } from '../../lib/run-store/write-run-file.ts';
import { keysOf } from '../../loadgen/ledger/ledger-client.ts';
import { readBack } from '../../loadgen/ledger/read-back.ts';
import { setSupplierFeedRate } from '../../loadgen/supplier-feed.ts';
import type { Scenario } from '../schema.ts';
import type { RunStack } from './ensure-stack.ts';
import type { RunContext } from './run-context.ts';
import { dlqReplay, errText } from './stack-calls.ts';
import type { MeasuredRun } from './start-time-zero.ts';

/** Longest wait for consumer lag to drain after the load (ms). */
export const DRAIN_BOUND_MS = 90_000;

/** Stage: heal everything the fault timeline left (faults recover themselves; this catches what they could not). */
export async function healLeftovers(ctx: RunContext): Promise<void> {
  const healed = await healAll(ctx.platform, ctx.journalPath, { onEvent: ctx.emit, clock: ctx.clock });
  for (const pr of healProblems(healed)) ctx.note('error', pr.message);
  const none = { healed: 0, failed: [], unresolved: [], skipped: 0 };
  for (const x of healed.failed) ctx.faultError(x.faultId, 'heal', healProblems({ ...none, failed: [x] }));
  for (const x of healed.unresolved)
    ctx.faultError(x.faultId, 'heal', healProblems({ ...none, unresolved: [x] }));
  if (healed.healed > 0)
    ctx.note('warn', `healed ${healed.healed} step(s) left outstanding after the fault timeline`);
}

/**
 * Stage (unless aborted): settle, run the scenario's drain actions, quiet the supplier feed so
 * the lag can reach 0, then wait for it (bounded by DRAIN_BOUND_MS).
 */
export async function settleAndDrain(ctx: RunContext, scenario: Scenario, stack: RunStack): Promise<void> {
  const signal = ctx.abort.signal;
  if (signal.aborted) return;
  ctx.live.note = `settling ${scenario.settleSec} s`;
  await sleep(scenario.settleSec * 1000, signal);
  for (const action of scenario.drainActions) {
    if (action === 'dlq-replay') ctx.note('info', await dlqReplay(stack.edge));
  }
  await setSupplierFeedRate(stack.ingestUrls, 0);
  ctx.live.note = 'draining consumer lag';
  const history = ctx.history;
  if (!history) return;
  const drainStart = Date.now();
  let lastEvents = -1;
  while (Date.now() - drainStart < DRAIN_BOUND_MS && !signal.aborted) {
    const s = history.state();
    if (s.events !== lastEvents && s.lag && s.lag.offsets === 0) break;
    lastEvents = s.events;
    await sleep(1000, signal);
  }
  const lagLeft = history.state().lag;
  if (lagLeft && lagLeft.offsets > 0)
    ctx.note(
      'warn',
      `consumer lag did not drain within ${DRAIN_BOUND_MS / 1000} s: ${lagLeft.offsets} messages left (${lagLeft.group})`,
    );
}

/** Stage: read the ledger's writes back from the durable stores into readback.json; a failure is a note. */
export async function readBackLedger(
  ctx: RunContext,
  stack: RunStack,
  ledgerOps: LedgerOp[],
  flightIds: string[],
): Promise<void> {
  ctx.live.note = 'reading back the ledger';
  try {
    const keys = keysOf(ledgerOps);
    const readback = await readBack({ hosts: stack.pgHosts, user: 'postgres' }, { ...keys, flightIds });
    await writeRunJson(ctx.runDir, RUN_FILES.readback, readback);
  } catch (e) {
    ctx.note('error', `ledger read-back failed: ${errText(e)}`);
  }
}

/** Stage: stop the progress line and the probes; an aborted run says why. */
export async function stopMeasuring(ctx: RunContext, measured: MeasuredRun): Promise<void> {
  measured.stopProgress();
  const { skipped } = await measured.samplers.stop();
  const slow = Object.entries(skipped).filter(([, n]) => n > 0);
  if (slow.length > 0)
    ctx.note(
      'info',
      `probe ticks skipped while the previous was running: ${slow.map(([n, c]) => `${n} ${c}`).join(', ')}`,
    );
  if (ctx.abort.signal.aborted) {
    ctx.status.run = 'aborted';
    ctx.status.reason =
      ctx.status.signalExit !== null ? `signal (exit ${ctx.status.signalExit}); faults healed` : 'aborted';
  }
}
