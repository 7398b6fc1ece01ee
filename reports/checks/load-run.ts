import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { badInput } from '../../lib/errors.ts';
import type {
  GeneratorRecord,
  HistoryEvent,
  LatencyWindow,
  LedgerOp,
  Readback,
  RunEnvironment,
  RunPlan,
} from '../../lib/run-format.ts';
import { REQUEST_FILES, type RequestSample, readRequestSamples, runEpochStart } from './request-samples.ts';

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
  /** What loading noticed and skipped: unparsable lines, invalid records. */
  warnings: string[];
}

const phase = z.enum(['setup', 'baseline', 'fault', 'recovery', 'after', 'drain', 'teardown']);

// Only the fields the checkers rely on are checked; other fields pass through.
const planShape = z.looseObject({
  scenario: z.string(),
  scale: z.number(),
  phases: z.array(z.looseObject({ phase, atSec: z.number() })),
  faults: z.array(
    z.looseObject({
      id: z.string(),
      fault: z.string(),
      selector: z.string(),
      atSec: z.number(),
      forSec: z.number(),
    }),
  ),
  k6: z.record(z.string(), z.unknown()),
  durationSec: z.number(),
});

const historyShape = z.looseObject({ t: z.number(), wall: z.string(), kind: z.string() });

const windowShape = z.looseObject({
  sec: z.number(),
  tag: z.string(),
  count: z.number(),
  errors: z.number(),
  hdr: z.string(),
  droppedIterations: z.number().optional(),
  intendedRate: z.number().optional(),
});

const ledgerShape = z.looseObject({
  id: z.string(),
  kind: z.enum(['reservation', 'fare-update']),
  type: z.enum(['invoke', 'ok', 'fail', 'unknown']),
  t: z.number(),
  key: z.string(),
});

const generatorShape = z.looseObject({
  engine: z.string(),
  intended: z.number(),
  achieved: z.number(),
  unsent: z.number(),
  late: z.number(),
  lagP99Ms: z.number().nullable(),
  valid: z.boolean(),
});

const readbackShape = z.looseObject({
  at: z.string(),
  reservations: z.record(z.string(), z.looseObject({ count: z.number(), reservationId: z.string() })),
  fares: z.record(z.string(), z.number()),
  inventory: z
    .array(z.looseObject({ flightId: z.string(), capacity: z.number(), sold: z.number() }))
    .optional(),
});

const scenarioShape = z.looseObject({ name: z.string().optional(), slos: z.array(z.string()).optional() });

async function readText(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Parses a JSON file against `shape`; an invalid file is a warning and reads as absent. */
function parseJson<T>(text: string | null, file: string, shape: z.ZodType, warnings: string[]): T | null {
  if (text === null) return null;
  try {
    const parsed = shape.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data as T;
    warnings.push(
      `${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  } catch (err) {
    warnings.push(`${file}: ${(err as Error).message}`);
  }
  return null;
}

/** Parses JSONL; a bad line (e.g. the torn last line of a crashed run) is skipped with a warning. */
export function parseJsonl<T>(
  text: string | null,
  file: string,
  shape: z.ZodType,
  warnings: string[],
): T[] | null {
  if (text === null) return null;
  const out: T[] = [];
  let bad = 0;
  let firstBad = '';
  for (const [i, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    let ok = false;
    try {
      const parsed = shape.safeParse(JSON.parse(line));
      if (parsed.success) {
        out.push(parsed.data as T);
        ok = true;
      }
    } catch {
      // counted below
    }
    if (!ok) {
      bad += 1;
      if (!firstBad) firstBad = `line ${i + 1}`;
    }
  }
  if (bad > 0) warnings.push(`${file}: skipped ${bad} unparsable line(s), first at ${firstBad}`);
  return out;
}

/**
 * Reads a run directory (format in lib/run-format.ts). plan.json is required (bad input when
 * absent); every other file is optional and reads as null.
 */
export async function loadRun(runDir: string): Promise<RunData> {
  const isDir = await stat(runDir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir)
    throw badInput(
      'run-dir-missing',
      `run directory ${runDir} does not exist`,
      'pass a directory under reports/runs/',
    );
  const warnings: string[] = [];
  const read = (name: string) => readText(join(runDir, name));
  const [planText, scenarioText, envText, historyText, metricsText, ledgerText, readbackText, generatorText] =
    await Promise.all([
      read('plan.json'),
      read('scenario.json'),
      read('environment.json'),
      read('history.jsonl'),
      read('metrics.jsonl'),
      read('ledger.jsonl'),
      read('readback.json'),
      read('generator.json'),
    ]);
  if (planText === null)
    throw badInput(
      'run-incomplete',
      `${join(runDir, 'plan.json')} is missing: this is not a complete run directory`,
      'pass the directory of a run that got past planning',
    );
  const planWarnings: string[] = [];
  const plan = parseJson<RunPlan>(planText, 'plan.json', planShape, planWarnings);
  if (!plan)
    throw badInput(
      'run-invalid',
      `plan.json in ${runDir} is invalid: ${planWarnings.join('; ')}`,
      'repair or re-run',
    );
  const history = parseJsonl<HistoryEvent>(historyText, 'history.jsonl', historyShape, warnings);
  const sorted = history ? [...history].sort((a, b) => a.t - b.t) : null;
  const requestFile = REQUEST_FILES.find((f) => existsSync(join(runDir, f))) ?? REQUEST_FILES[0];
  const requests = await readRequestSamples(join(runDir, requestFile), runEpochStart(sorted)).catch(
    (err: unknown) => {
      warnings.push(`${requestFile}: ${err instanceof Error ? err.message : String(err)}`);
      return null;
    },
  );
  return {
    runDir,
    plan,
    scenario: parseJson(scenarioText, 'scenario.json', scenarioShape, warnings),
    environment: parseJson(envText, 'environment.json', z.looseObject({}), warnings),
    history: sorted,
    metrics: parseJsonl<LatencyWindow>(metricsText, 'metrics.jsonl', windowShape, warnings),
    ledger: parseJsonl<LedgerOp>(ledgerText, 'ledger.jsonl', ledgerShape, warnings),
    readback: parseJson<Readback>(readbackText, 'readback.json', readbackShape, warnings),
    generator: parseJson<GeneratorRecord>(generatorText, 'generator.json', generatorShape, warnings),
    requests,
    warnings,
  };
}
