import type { Platform } from '../../chaos/platforms/platform.ts';
import { installHealOnSignals } from '../../chaos/run-fault.ts';
import type { Problem } from '../../lib/errors.ts';
import { paths } from '../../lib/paths.ts';
import type { HistoryEvent } from '../../lib/run-format.ts';
import type { LoadProgress } from '../../loadgen/run-load.ts';
import type { HistoryWriter } from '../history-writer.ts';
import type { RunClock } from '../probes/sampler.ts';
import type { Progress } from '../progress.ts';

/** What every stage of one run shares: the clock, the history, the abort signal and the run's status. */
export interface RunContext {
  runDir: string;
  platform: Platform;
  journalPath: string;
  log: (line: string) => void;
  /** Aborted by the caller's signal, by SIGINT/SIGTERM (after healing) or never. */
  abort: AbortController;
  clock: RunClock;
  /** `performance.now()` and epoch ms of time zero (reset by `startClock`). */
  perfStart: number;
  epochStart: number;
  /** Sets time zero to now. */
  startClock(): void;
  /** Null before time zero: events emitted earlier are dropped. */
  history: HistoryWriter | null;
  emit(e: HistoryEvent): void;
  /** A note in the history and a log line. */
  note(level: 'info' | 'warn' | 'error', message: string): void;
  /** Structured evidence that a fault did not run as planned, for the judge (reports/checks/plan-deviations.ts). */
  faultError(faultId: string, stage: 'inject' | 'heal', problems: readonly Problem[]): void;
  /** What the progress line shows, updated by the stages. */
  live: { phase: Progress['phase']; load: LoadProgress | null; note?: string };
  status: { run: 'completed' | 'aborted' | 'error'; reason?: string; signalExit: number | null };
  /** Removes the signal handlers and the caller's abort listener. */
  dispose(): void;
}

/**
 * Stage: the run's shared state. Until time zero the clock counts from now; SIGINT/SIGTERM heal
 * every fault, then abort the run (a second signal exits at once).
 */
export function openRunContext(o: {
  runDir: string;
  platform: Platform;
  log: (line: string) => void;
  signal?: AbortSignal;
}): RunContext {
  const abort = new AbortController();
  const onOuterAbort = () => abort.abort();
  o.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const ctx: RunContext = {
    runDir: o.runDir,
    platform: o.platform,
    journalPath: paths.journal(),
    log: o.log,
    abort,
    perfStart: performance.now(),
    epochStart: Date.now(),
    clock: {
      t: () => Math.round(performance.now() - ctx.perfStart),
      wall: () => new Date().toISOString(),
    },
    startClock() {
      ctx.perfStart = performance.now();
      ctx.epochStart = Date.now();
    },
    history: null,
    emit: (e) => ctx.history?.emit(e),
    note(level, message) {
      ctx.emit({ kind: 'note', t: ctx.clock.t(), wall: ctx.clock.wall(), level, message });
      o.log(message);
    },
    faultError(faultId, stage, problems) {
      ctx.emit({
        kind: 'fault-error',
        t: ctx.clock.t(),
        wall: ctx.clock.wall(),
        faultId,
        stage,
        codes: problems.map((p) => p.code),
        message: problems.map((p) => p.message).join('; '),
      });
    },
    live: { phase: 'baseline', load: null },
    status: { run: 'completed', signalExit: null },
    dispose() {
      signals.uninstall();
      o.signal?.removeEventListener('abort', onOuterAbort);
    },
  };
  const signals = installHealOnSignals({
    platform: o.platform,
    journalPath: ctx.journalPath,
    onEvent: ctx.emit,
    clock: ctx.clock,
    log: o.log,
    // First call (heal done): let the run finish writing what it has; a later one exits now.
    exit: (code) => {
      if (ctx.status.signalExit !== null) process.exit(code);
      ctx.status.signalExit = code;
      abort.abort();
    },
  });
  signals.signal.addEventListener('abort', () => abort.abort(), { once: true });
  return ctx;
}
