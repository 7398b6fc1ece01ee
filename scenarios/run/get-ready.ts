import { sleep } from '../../chaos/run-fault.ts';
import { RUN_FILES } from '../../lib/run-store/run-files.ts';
import { writeRunJson } from '../../lib/run-store/write-run-file.ts';
import {
  type CatalogueHints,
  DEFAULT_AIRPORTS,
  DEFAULT_DATES,
  discoverFlightIds,
} from '../../loadgen/catalogue.ts';
import { setSupplierFeedRate } from '../../loadgen/supplier-feed.ts';
import { collectEnvironment } from '../environment.ts';
import { HistoryWriter } from '../history-writer.ts';
import type { RunStack } from './ensure-stack.ts';
import type { RunContext } from './run-context.ts';
import { waitReady, warmUp } from './stack-calls.ts';
import { type SteadyState, waitSteadyState } from './steady-state.ts';

/** Longest wait for the stack to answer before load starts (ms). */
export const READY_BOUND_MS = 120_000;

/**
 * How long the supplier feed runs alone on a stack this run brought up, before the warm-up (ms).
 * A fresh stack's first minute under the feed is not steady, and the steady-state gate cannot
 * see it: the stream was 1.3 s behind when the gate passed, then 5.7 s behind 8 s after time
 * zero (broker-loss, ci, on a fresh `up`: stream.consumer-lag.p95 5.3 s, FAIL, on the baseline
 * alone). With the feed running 60 s first, the baseline peaked at 3.5, 1.1 and 3.0 s in three
 * such runs, two of which passed every row. A stack that was already up (a catalogue's later
 * scenarios), or a run without a feed, pays nothing.
 */
export const FRESH_STACK_FEED_MS = 60_000;

export interface ReadyStack {
  flightIds: string[];
  hints: CatalogueHints;
  /** Ingest instances the supplier feed rate could not be set on, with the error. */
  feedFailed: string[];
  steady: SteadyState;
}

/**
 * Stage: wait until the stack answers, find flights, start the supplier feed (background load,
 * before the warm-up so time zero finds a steady state; alone for FRESH_STACK_FEED_MS first on a
 * stack this run brought up), warm up, wait for a steady state (the
 * stream and projector keeping up: steady-state.ts; not reached, the run cannot pass), then
 * write environment.json and open history.jsonl.
 */
export async function getReady(
  ctx: RunContext,
  stack: RunStack,
  run: { supplierFeedPerSec: number; seed: number; scale: number },
): Promise<ReadyStack> {
  ctx.log(`waiting until the stack is ready (edge ${stack.edge})`);
  await waitReady(stack.topology, ctx.abort.signal, READY_BOUND_MS);
  const hints = { airports: DEFAULT_AIRPORTS, dates: DEFAULT_DATES };
  const flightIds = await discoverFlightIds(stack.edge, hints);
  if (flightIds.length === 0)
    ctx.log('warning: no flights found through the edge; price, reserve and book will search instead');
  const feed = await setSupplierFeedRate(stack.ingestUrls, run.supplierFeedPerSec);
  const feedFailed = feed.filter((f) => !f.ok).map((f) => `${f.url} (${f.error})`);
  if (feedFailed.length > 0) ctx.log(`warning: supplier feed rate not set on ${feedFailed.join(', ')}`);
  if (stack.broughtUp && run.supplierFeedPerSec > 0) {
    ctx.log(
      `the stack is fresh: the supplier feed runs alone for ${FRESH_STACK_FEED_MS / 1000} s before the warm-up (its first minute is not steady)`,
    );
    await sleep(FRESH_STACK_FEED_MS, ctx.abort.signal);
  }
  const warm = await warmUp(stack.edge, flightIds, { signal: ctx.abort.signal });
  ctx.log(`warmed up with ${warm} unmeasured requests`);
  const steady = await waitSteadyState(stack.topology, { signal: ctx.abort.signal });
  ctx.log(steady.detail);
  await writeRunJson(
    ctx.runDir,
    RUN_FILES.environment,
    collectEnvironment(ctx.platform.name, run.seed, run.scale),
  );
  ctx.history = new HistoryWriter(ctx.runDir);
  return { flightIds, hints, feedFailed, steady };
}
