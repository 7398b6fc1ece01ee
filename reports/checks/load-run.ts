import { badInput } from '../../lib/errors.ts';
import type {
  GeneratorRecord,
  HistoryEvent,
  LatencyWindow,
  LbTransition,
  LedgerOp,
  Readback,
  RunEnvironment,
  RunPlan,
} from '../../lib/run-format.ts';
import { byTime, readRun } from '../../lib/run-store/read-run.ts';
import { RUN_FILES, runFilePath } from '../../lib/run-store/run-files.ts';
import type { RequestSample } from './request-samples.ts';

/**
 * Everything a checker reads from one run directory, as plain data (tests build it by hand).
 * A file that was absent is `null`; checkers that need it answer `unknown`.
 */
export interface RunData {
  runDir: string;
  plan: RunPlan;
  /** scenario.json as stored; only `name` and `slos` are read here. */
  scenario: { name?: string; slos?: string[] } | null;
  environment: RunEnvironment | null;
  history: HistoryEvent[] | null;
  metrics: LatencyWindow[] | null;
  ledger: LedgerOp[] | null;
  readback: Readback | null;
  /** generator.json: the load engine's self-check; absent in runs recorded before it. */
  generator?: GeneratorRecord | null;
  /** Every request from requests.jsonl.gz (k6-points.jsonl.gz in older runs), by intended start (RTOs below one second); absent or null when not kept. */
  requests?: RequestSample[] | null;
  /** Server health changes from HAProxy's own log (logs/haproxy.log); absent or null when not kept. */
  lbTransitions?: LbTransition[] | null;
  /** What loading noticed and skipped: unparsable lines, invalid records. */
  warnings: string[];
}

/**
 * Reads a run directory through the run store (lib/run-store) for judging. plan.json is
 * required (bad input when absent or invalid); every other file is optional and reads as null.
 */
export async function loadRun(runDir: string): Promise<RunData> {
  const run = await readRun(runDir, { requests: true });
  if (!run.present.includes(RUN_FILES.plan))
    throw badInput(
      'run-incomplete',
      `${runFilePath(runDir, 'plan')} is missing: this is not a complete run directory`,
      'pass the directory of a run that got past planning',
    );
  const planWarnings = run.warnings.filter((w) => w.startsWith(`${RUN_FILES.plan}: `));
  if (!run.plan)
    throw badInput(
      'run-invalid',
      `${RUN_FILES.plan} in ${runDir} is invalid: ${planWarnings.join('; ')}`,
      'repair or re-run',
    );
  return {
    runDir,
    plan: run.plan,
    scenario: run.scenario,
    environment: run.environment,
    history: byTime(run.history),
    metrics: run.metrics,
    ledger: run.ledger,
    readback: run.readback,
    generator: run.generator,
    requests: run.requests,
    lbTransitions: run.lbTransitions,
    warnings: run.warnings,
  };
}
