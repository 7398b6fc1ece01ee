import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type RequestSample,
  readRequestSamples,
  runEpochStart,
} from '../../reports/checks/request-samples.ts';
import { badInput } from '../errors.ts';
import type {
  GeneratorRecord,
  HistoryEvent,
  LatencyWindow,
  LbTransition,
  LedgerOp,
  Readback,
  RunEnvironment,
  RunPlan,
  RunResults,
} from '../run-format.ts';
import { parseHaproxyLog } from './parse-haproxy-log.ts';
import { parseJson, parseJsonl } from './parse-run-file.ts';
import {
  LINKED_FILES,
  REQUEST_FILES,
  type RequestFileName,
  RUN_FILES,
  type RunFileName,
} from './run-files.ts';
import {
  type JsonFileName,
  type JsonlFileName,
  RUN_SCHEMAS,
  type RunFileTypes,
  type StoredScenario,
} from './run-schemas.ts';

/**
 * What running recorded in one run directory, as plain data. One rule for every file: a missing
 * file is null (checkers answer `unknown`, renderers say "not recorded"); an invalid file is null
 * with a warning; an invalid line of a JSONL file is skipped with a warning. Never throws for
 * the content of a file.
 */
export interface RecordedRun {
  dir: string;
  scenario: StoredScenario | null;
  plan: RunPlan | null;
  environment: RunEnvironment | null;
  /** In file (append) order; `byTime` sorts it by `t` (what checkers need). */
  history: HistoryEvent[] | null;
  metrics: LatencyWindow[] | null;
  ledger: LedgerOp[] | null;
  readback: Readback | null;
  generator: GeneratorRecord | null;
  /**
   * Every request by intended start, from requests.jsonl.gz (k6-points.jsonl.gz in older runs);
   * read only when asked (`requests: true`), null when not kept, too big, or not asked for.
   */
  requests: RequestSample[] | null;
  /**
   * Server health changes from HAProxy's own log (logs/haproxy.log), on the run's clock; null when
   * the run kept no HAProxy log or its start is unknown; empty when the log has no timed lines.
   */
  lbTransitions: LbTransition[] | null;
  /** Files the report links (LINKED_FILES) that are present, in that order. */
  present: RunFileName[];
  warnings: string[];
}

/** A file's text; null when missing (no warning) or unreadable (a warning: e.g. a folder, no permission). */
async function readText(path: string, name: RunFileName, warnings: string[]): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') warnings.push(`${name}: ${(err as Error).message}`);
    return null;
  }
}

/** Throws bad input (exit 254) unless `dir` is a directory. */
export async function assertRunDir(dir: string): Promise<void> {
  const isDir = await stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir)
    throw badInput(
      'run-dir-missing',
      `${dir} is not a run directory (it does not exist or is not a folder)`,
      'pass a directory under reports/runs/<scenario>/<stamp>/, or create one with `windshear run-scenario <name>`',
    );
}

/** History events by `t` (stable: events of the same millisecond keep their file order). */
export function byTime(history: readonly HistoryEvent[] | null): HistoryEvent[] | null {
  return history ? [...history].sort((a, b) => a.t - b.t) : null;
}

/** Request samples of a run (see RecordedRun.requests); a file that cannot be read is a warning. */
async function readRequests(
  dir: string,
  history: HistoryEvent[] | null,
  warnings: string[],
): Promise<RequestSample[] | null> {
  const name: RequestFileName = REQUEST_FILES.find((f) => existsSync(join(dir, f))) ?? RUN_FILES.requests;
  return readRequestSamples(join(dir, name), runEpochStart(history)).catch((err: unknown) => {
    warnings.push(`${name}: ${err instanceof Error ? err.message : String(err)}`);
    return null;
  });
}

/** Reads a run directory (bad input when it is not one); every file is optional here. */
export async function readRun(dir: string, opts: { requests?: boolean } = {}): Promise<RecordedRun> {
  await assertRunDir(dir);
  const warnings: string[] = [];
  const text = (name: RunFileName) => readText(join(dir, name), name, warnings);
  const [
    historyText,
    scenarioText,
    envText,
    metricsText,
    ledgerText,
    readbackText,
    generatorText,
    planText,
    haproxyText,
  ] = await Promise.all([
    text(RUN_FILES.history),
    text(RUN_FILES.scenario),
    text(RUN_FILES.environment),
    text(RUN_FILES.metrics),
    text(RUN_FILES.ledger),
    text(RUN_FILES.readback),
    text(RUN_FILES.generator),
    text(RUN_FILES.plan),
    text(RUN_FILES.haproxyLog),
  ]);
  const json = <F extends JsonFileName>(t: string | null, f: F) =>
    parseJson<RunFileTypes[F]>(t, f, RUN_SCHEMAS[f], warnings);
  const jsonl = <F extends JsonlFileName>(t: string | null, f: F) =>
    parseJsonl<RunFileTypes[F]>(t, f, RUN_SCHEMAS[f], warnings);
  // Parsed in a fixed order, so the warnings come in the same order every time.
  const history = jsonl(historyText, RUN_FILES.history);
  const requests = opts.requests ? await readRequests(dir, byTime(history), warnings) : null;
  const epoch = runEpochStart(byTime(history));
  const lbTransitions = haproxyText !== null && epoch !== null ? parseHaproxyLog(haproxyText, epoch) : null;
  return {
    dir,
    scenario: json(scenarioText, RUN_FILES.scenario),
    environment: json(envText, RUN_FILES.environment),
    history,
    requests,
    lbTransitions,
    metrics: jsonl(metricsText, RUN_FILES.metrics),
    ledger: jsonl(ledgerText, RUN_FILES.ledger),
    readback: json(readbackText, RUN_FILES.readback),
    generator: json(generatorText, RUN_FILES.generator),
    plan: json(planText, RUN_FILES.plan),
    present: await presentFiles(dir),
    warnings,
  };
}

/**
 * Reads results.json alone (trend and compare need nothing else). It is what a renderer renders,
 * so a missing or invalid one is bad input (exit 254) naming the run and what to run.
 */
export async function readResults(dir: string): Promise<RunResults> {
  const file = join(dir, RUN_FILES.results);
  const text = await readFile(file, 'utf8').catch(() => null);
  if (text === null)
    throw badInput(
      'run-results-missing',
      `${file} does not exist, so ${dir} has not been judged yet`,
      `run \`windshear check ${dir}\` to judge the run, then render it again`,
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw badInput(
      'run-results-invalid',
      `${file} is not valid JSON (${(err as Error).message})`,
      `re-judge the run with \`windshear check ${dir}\``,
    );
  }
  const checked = RUN_SCHEMAS[RUN_FILES.results].safeParse(parsed);
  if (!checked.success) {
    const where = checked.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw badInput(
      'run-results-invalid',
      `${file} is not a windshear results file (${where})`,
      `re-judge the run with \`windshear check ${dir}\``,
    );
  }
  // The checked fields match RunResults; the rest is the checkers' contract (lib/run-format.ts).
  return parsed as RunResults;
}

/** Whether a file of the run directory exists. */
export async function hasRunFile(dir: string, name: RunFileName): Promise<boolean> {
  return stat(join(dir, name)).then(
    () => true,
    () => false,
  );
}

async function presentFiles(dir: string): Promise<RunFileName[]> {
  const names = new Set<string>(await readdir(dir).catch(() => []));
  return LINKED_FILES.filter((f) => names.has(f));
}
