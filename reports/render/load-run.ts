import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { badInput } from '../../lib/errors.ts';
import type {
  HistoryEvent,
  LatencyWindow,
  LedgerOp,
  RunEnvironment,
  RunPlan,
  RunResults,
} from '../../lib/run-format.ts';

/** Everything the renderers read from one run directory; optional files are null or empty. */
export interface StoredRun {
  dir: string;
  results: RunResults;
  plan: RunPlan | null;
  environment: RunEnvironment | null;
  history: HistoryEvent[];
  metrics: LatencyWindow[];
  ledger: LedgerOp[];
  /** Raw files and folders present in the run directory, by name, in a stable order. */
  rawFiles: string[];
  /** Things the renderers noticed but could work around (unparsable lines, missing files). */
  warnings: string[];
}

/** Files a run directory may hold, in the order the report links them (lib/run-format.ts). */
export const RAW_FILES = [
  'results.json',
  'scenario.json',
  'plan.json',
  'environment.json',
  'history.jsonl',
  'metrics.jsonl',
  'requests.jsonl.gz',
  'k6-points.jsonl.gz',
  'generator.json',
  'load-plan.json',
  'ledger.jsonl',
  'readback.json',
  'junit.xml',
  'summary.md',
  'logs',
] as const;

const verdict = z.enum(['pass', 'fail', 'unknown']);

// Only the fields the renderers rely on are checked; the rest of RunResults passes through.
const resultsShape = z.looseObject({
  formatVersion: z.literal(1),
  scenario: z.string(),
  verdict,
  slos: z.array(
    z.looseObject({
      id: z.string(),
      title: z.string(),
      verdict,
      measured: z.number().nullable(),
      objective: z.object({ op: z.enum(['<', '<=', '>', '>=']), value: z.number() }),
      unit: z.string(),
      margin: z.number().nullable(),
      detail: z.string(),
      source: z.object({ seed: z.string(), table: z.string(), row: z.string() }),
    }),
  ),
  faults: z.array(z.looseObject({ faultId: z.string(), startMs: z.number() })),
  lostWrites: z.array(z.looseObject({ opId: z.string(), key: z.string() })),
  duplicates: z.array(z.object({ key: z.string(), count: z.number() })),
});

/**
 * Reads a stored run. A missing directory or a missing/invalid results.json is bad input
 * (exit 254) naming the path and what to run; other files are optional.
 */
export async function loadRun(dir: string): Promise<StoredRun> {
  const isDir = await stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir) {
    throw badInput(
      'run-dir-missing',
      `${dir} is not a run directory (it does not exist or is not a folder)`,
      'pass a directory under reports/runs/<scenario>/<stamp>/, or create one with `windshear run-scenario <name>`',
    );
  }
  const results = await loadResults(dir);
  const warnings: string[] = [];
  const [plan, environment, history, metrics, ledger, rawFiles] = await Promise.all([
    readJson<RunPlan>(join(dir, 'plan.json'), warnings),
    readJson<RunEnvironment>(join(dir, 'environment.json'), warnings),
    readJsonl<HistoryEvent>(join(dir, 'history.jsonl'), warnings),
    readJsonl<LatencyWindow>(join(dir, 'metrics.jsonl'), warnings),
    readJsonl<LedgerOp>(join(dir, 'ledger.jsonl'), warnings),
    presentRawFiles(dir),
  ]);
  return { dir, results, plan, environment, history, metrics, ledger, rawFiles, warnings };
}

/** Reads and checks results.json alone (trend and compare need nothing else). */
export async function loadResults(dir: string): Promise<RunResults> {
  const file = join(dir, 'results.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw badInput(
      'run-results-missing',
      `${file} does not exist, so ${dir} has not been judged yet`,
      `run \`windshear check ${dir}\` to judge the run, then render it again`,
    );
  }
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
  const checked = resultsShape.safeParse(parsed);
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

async function readJson<T>(file: string, warnings: string[]): Promise<T | null> {
  const text = await readFile(file, 'utf8').catch(() => null);
  if (text === null) {
    warnings.push(`${basename(file)} is missing; the sections that need it are left out`);
    return null;
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    warnings.push(`${basename(file)} is not valid JSON; the sections that need it are left out`);
    return null;
  }
}

/** Parses JSON Lines; a line that does not parse (e.g. cut off by a crash) is skipped with a warning. */
async function readJsonl<T>(file: string, warnings: string[]): Promise<T[]> {
  const text = await readFile(file, 'utf8').catch(() => null);
  if (text === null) {
    warnings.push(`${basename(file)} is missing; the sections that need it are left out`);
    return [];
  }
  const out: T[] = [];
  let bad = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      bad++;
    }
  }
  if (bad > 0) warnings.push(`${basename(file)}: ${bad} line(s) are not valid JSON and were skipped`);
  return out;
}

async function presentRawFiles(dir: string): Promise<string[]> {
  const names = new Set(await readdir(dir).catch(() => []));
  return RAW_FILES.filter((f) => names.has(f));
}
