import { join } from 'node:path';

/**
 * Every file of a run directory `reports/runs/<scenario>/<UTC stamp>/`, by role. What each holds
 * is in lib/run-format.ts; its schema in run-schemas.ts. Only lib/run-store reads and writes them
 * (architecture.md, style 6); other modules use these names, never string literals.
 */
export const RUN_FILES = {
  /** The validated Scenario (scenarios/schema.ts). */
  scenario: 'scenario.json',
  /** RunPlan; required to judge a run. */
  plan: 'plan.json',
  environment: 'environment.json',
  /** One HistoryEvent per line, appended as it happens. */
  history: 'history.jsonl',
  /** One LatencyWindow per line, folded from the request records. */
  metrics: 'metrics.jsonl',
  /** One RequestRecord per request, any engine. */
  requests: 'requests.jsonl.gz',
  /** k6's raw points (`--out json`): the request records of runs recorded before requests.jsonl.gz. */
  k6Points: 'k6-points.jsonl.gz',
  /** GeneratorRecord: the load engine's self-check. */
  generator: 'generator.json',
  /** The plan the ws-load engine ran (its input). */
  loadPlan: 'load-plan.json',
  /** The options k6 ran with (its input), and k6's own end-of-test summary (its output). */
  k6Config: 'k6-config.json',
  k6Summary: 'k6-summary.json',
  /** One LedgerOp per line. */
  ledger: 'ledger.jsonl',
  /** Readback: what the durable stores held after drain. */
  readback: 'readback.json',
  /** RunResults; required to render a run. */
  results: 'results.json',
  report: 'report.html',
  junit: 'junit.xml',
  summary: 'summary.md',
  /** Component logs copied at the end of the run, and the engine's log. */
  logs: 'logs',
  /** HAProxy's component log: its server health changes are read as LbTransitions. */
  haproxyLog: 'logs/haproxy.log',
} as const;

export type RunFileRole = keyof typeof RUN_FILES;
export type RunFileName = (typeof RUN_FILES)[RunFileRole];

/** The run's request records, newest format first (k6-points.jsonl.gz in runs recorded before it). */
export const REQUEST_FILES = [RUN_FILES.requests, RUN_FILES.k6Points] as const;
export type RequestFileName = (typeof REQUEST_FILES)[number];

/** Files a run directory may hold, in the order the report links them. */
export const LINKED_FILES: readonly RunFileName[] = [
  RUN_FILES.results,
  RUN_FILES.scenario,
  RUN_FILES.plan,
  RUN_FILES.environment,
  RUN_FILES.history,
  RUN_FILES.metrics,
  RUN_FILES.requests,
  RUN_FILES.k6Points,
  RUN_FILES.generator,
  RUN_FILES.loadPlan,
  RUN_FILES.ledger,
  RUN_FILES.readback,
  RUN_FILES.junit,
  RUN_FILES.summary,
  RUN_FILES.logs,
];

/** Path of one file of a run directory. */
export function runFilePath(runDir: string, role: RunFileRole): string {
  return join(runDir, RUN_FILES[role]);
}

/**
 * Paths of the load engine's own files in a run directory: its input (plan or k6 options), the
 * raw record stream it writes while running (folded into requests.jsonl.gz and metrics.jsonl,
 * then removed), k6's summary, and its log. The engine process is the other party of these files.
 */
export function enginePaths(runDir: string): {
  loadPlan: string;
  k6Config: string;
  k6Summary: string;
  wsLoadRecords: string;
  k6RawPoints: string;
  log: string;
} {
  return {
    loadPlan: runFilePath(runDir, 'loadPlan'),
    k6Config: runFilePath(runDir, 'k6Config'),
    k6Summary: runFilePath(runDir, 'k6Summary'),
    wsLoadRecords: join(runDir, RUN_FILES.requests.replace(/\.gz$/, '')),
    k6RawPoints: join(runDir, RUN_FILES.k6Points.replace(/\.gz$/, '')),
    log: join(runDir, RUN_FILES.logs, 'engine.log'),
  };
}
