import { healAll, healProblems } from '../../chaos/run-fault.ts';
import { WindshearError } from '../../lib/errors.ts';
import type { RunResults } from '../../lib/run-format.ts';
import { storeLogs } from '../../lib/run-store/write-run-file.ts';
import { setSupplierFeedRate } from '../../loadgen/supplier-feed.ts';
import { judgeRunDir } from '../../reports/checks/judge.ts';
import { renderRun } from '../../reports/render/render-run.ts';
import type { LoadedScenario } from '../load-scenario.ts';
import { boundsOf, loadSloTables } from '../load-slo.ts';
import type { RunStack } from './ensure-stack.ts';
import type { RunContext } from './run-context.ts';
import { errText } from './stack-calls.ts';

/** A stage threw: the run ends as `error` with the reason in the history. */
export function recordRunError(ctx: RunContext, e: unknown): void {
  ctx.status.run = 'error';
  ctx.status.reason = e instanceof WindshearError ? e.problems.map((p) => p.message).join('; ') : errText(e);
  ctx.note('error', `run failed: ${ctx.status.reason}`);
}

/**
 * Stage, always (also after an error or a signal): heal every fault in the journal, whoever
 * wrote it, stop the feed, write run-end and close the history, copy the component logs, and take
 * down a stack this run brought up unless `keep`.
 */
export async function finishRun(ctx: RunContext, stack: RunStack, keep: boolean): Promise<void> {
  const log = ctx.log;
  const healed = await healAll(ctx.platform, ctx.journalPath, { onEvent: ctx.emit, clock: ctx.clock }).catch(
    (e: unknown) => {
      log(`heal failed: ${errText(e)}; run \`windshear chaos heal\``);
      return null;
    },
  );
  if (healed) for (const pr of healProblems(healed)) log(`${pr.message}\n  fix: ${pr.fix}`);
  await setSupplierFeedRate(stack.ingestUrls, 0).catch(() => undefined);
  ctx.emit({
    kind: 'run-end',
    t: ctx.clock.t(),
    wall: ctx.clock.wall(),
    status: ctx.status.run,
    ...(ctx.status.reason ? { reason: ctx.status.reason } : {}),
  });
  ctx.history?.close();
  ctx.dispose();
  const logsFrom = await ctx.platform.collectLogs().catch((e: unknown) => {
    log(`component logs not collected: ${errText(e)}`);
    return null;
  });
  if (logsFrom) await storeLogs(ctx.runDir, logsFrom);
  if (stack.broughtUp && !keep) {
    log('taking down the stack this run brought up (--keep leaves it up)');
    await ctx.platform
      .down()
      .catch((e: unknown) => log(`down failed: ${errText(e)}; run \`windshear down\``));
  }
}

/** Stage: judge the stored run against the scenario's SLO rows (results.json), then render it. */
export async function judgeAndRender(runDir: string, loaded: LoadedScenario): Promise<RunResults> {
  const tables = await loadSloTables();
  const used = tables
    .filter((t) => t.rows.some((r) => loaded.scenario.slos.includes(r.id)))
    .map((t) => t.file);
  const results = await judgeRunDir(runDir, loaded.slos, { sloTables: used, bounds: boundsOf(tables) });
  await renderRun(runDir);
  return results;
}
