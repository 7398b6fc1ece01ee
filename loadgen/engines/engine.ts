import type { ChildProcess } from 'node:child_process';
import { niceTo } from '../../lib/priority.ts';
import type { EngineLimits, LoadPlan } from '../load-plan.ts';
import type { RequestRecord } from '../request-record.ts';

/** Engines windshear can drive; `ws-load` is the embedded default, k6 is brought by the user. */
export const ENGINE_NAMES = ['ws-load', 'k6'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

/** Where the load goes and the data the flows need. */
export interface LoadTarget {
  baseUrl: string;
  apiKey: string;
  /** Prefix of idempotency keys (unique per run). */
  runId: string;
  airports: string[];
  dates: string[];
  /** Flights to price, reserve and book; without them those flows search instead. */
  flightIds: string[];
  paymentToken?: string;
}

/** What one line of an engine's raw stream says. */
export type EngineLine =
  | { record: RequestRecord }
  | { unsent: { epochMs: number; n: number } }
  | { scheduleStartEpochMs: number };

/** The engine's own accounting, read after it exited. */
export interface EngineAccounting {
  /** Per flow: arrivals the schedule asked for and arrivals sent (ws-load). */
  flows?: { flow: string; intended: number; sent: number }[];
  /** The engine's CPU seconds (user + system), when it reports them. */
  cpuSec: number | null;
  maxRssKiB: number | null;
  /** Why the engine's exit is a problem for the run, if it is. */
  exitProblem?: string;
  /** Arrivals the engine reports it dropped (k6's summary), beyond those seen in the stream. */
  dropped?: number;
}

export interface EngineStartOptions {
  plan: LoadPlan;
  target: LoadTarget;
  outDir: string;
  /** Epoch ms at which the schedule's second 0 should start. */
  scheduleStartEpochMs: number;
}

export interface StartedEngine {
  child: ChildProcess;
  /** File the engine appends its raw stream to (removed after the run). */
  rawPath: string;
  /** Files the engine leaves in the run directory (config, summary). */
  files: Record<string, string>;
  parse(line: string): EngineLine | null;
  /** Called after the process exited, with its exit code and stdout. */
  finish(exit: { code: number | null; signal: string | null; stdout: string }): Promise<EngineAccounting>;
}

export interface LoadEngine {
  name: EngineName;
  limits: EngineLimits;
  /** The binary, or a bad-input error naming how to get it. */
  resolve(): string;
  start(bin: string, o: EngineStartOptions): Promise<StartedEngine>;
}

/**
 * The load engine runs at a higher priority than the system under test (nice -10, as root): on
 * one machine the platform's dozens of processes would otherwise delay the engine's sends, and a
 * measuring instrument must not be perturbed by what it measures. Without root it runs as is.
 */
export const ENGINE_NICE = -10;

/** The command that starts an engine binary with its arguments, at ENGINE_NICE when allowed. */
export function engineCommand(
  bin: string,
  args: string[],
  root = process.getuid?.() === 0,
): [string, string[]] {
  if (!root) return [bin, args];
  const nice = niceTo(ENGINE_NICE);
  return nice.length === 0 ? [bin, args] : [nice[0]!, [...nice.slice(1), bin, ...args]];
}
