import type {
  HistoryEvent,
  LatencyWindow,
  LedgerOp,
  RunEnvironment,
  RunPlan,
  RunResults,
} from '../../lib/run-format.ts';
import { readResults, readRun } from '../../lib/run-store/read-run.ts';
import { LINKED_FILES, type RunFileName } from '../../lib/run-store/run-files.ts';

/**
 * Everything the renderers read from one run directory (lib/run-store). A file that was not
 * recorded is null and the report says so.
 */
export interface StoredRun {
  dir: string;
  results: RunResults;
  plan: RunPlan | null;
  environment: RunEnvironment | null;
  history: HistoryEvent[] | null;
  metrics: LatencyWindow[] | null;
  ledger: LedgerOp[] | null;
  /** Raw files and folders present in the run directory, by name, in a stable order. */
  rawFiles: RunFileName[];
  /** Things the renderers noticed but could work around (unparsable lines, invalid files). */
  warnings: string[];
}

/** Files a run directory may hold, in the order the report links them. */
export const RAW_FILES = LINKED_FILES;

/**
 * Reads a stored run. A missing directory or a missing/invalid results.json is bad input
 * (exit 254) naming the path and what to run; other files are optional.
 */
export async function loadRun(dir: string): Promise<StoredRun> {
  const run = await readRun(dir);
  const results = await readResults(dir);
  return {
    dir,
    results,
    plan: run.plan,
    environment: run.environment,
    history: run.history,
    metrics: run.metrics,
    ledger: run.ledger,
    rawFiles: run.present,
    warnings: run.warnings,
  };
}

/** Reads and checks results.json alone (trend and compare need nothing else). */
export const loadResults = readResults;
