import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Problem, WindshearError } from '../lib/errors.ts';
import type { LatencyBound, SloRow, SloTable } from '../lib/slo.ts';
import { issuesToProblems, parseYaml } from './parse-yaml.ts';
import { checkSloTable, type LoadedSloRow } from './schema.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(HERE, '..');
/** Where the SLO tables live: one YAML file per seed, plus the harness's own rows. */
export const SLO_DIR = join(HERE, 'slo');

/** An SLO table whose rows may carry a `note`. */
export interface LoadedSloTable extends SloTable {
  rows: LoadedSloRow[];
}

/** Path for messages and `SloTable.file`: relative to the repo when inside it. */
export function displayPath(abs: string): string {
  const rel = relative(REPO_ROOT, abs);
  return rel.startsWith('..') ? abs : rel;
}

/** Pure: one SLO table file's text to its rows, or every problem in it. */
export function parseSloTableText(
  text: string,
  file: string,
): { table: LoadedSloTable | null; problems: Problem[] } {
  const doc = parseYaml(text, file);
  if (doc.syntaxProblems.length > 0) return { table: null, problems: doc.syntaxProblems };
  const { rows, bounds, issues } = checkSloTable(doc.value);
  if (!rows) return { table: null, problems: issuesToProblems(issues, doc) };
  return { table: { file, rows, ...(bounds.length > 0 ? { bounds } : {}) }, problems: [] };
}

/**
 * Loads every `*.yaml` SLO table in `dir`. Throws one WindshearError (exit 254) with every problem
 * of every file, including ids used by more than one table.
 */
export async function loadSloTables(dir: string = SLO_DIR): Promise<LoadedSloTable[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.yaml') || n.endsWith('.yml')).sort();
  } catch (err) {
    throw new WindshearError({
      code: 'slo-dir',
      message: `cannot read the SLO table directory ${dir}: ${err instanceof Error ? err.message : String(err)}`,
      fix: 'run from the windshear checkout, or pass the directory that holds the SLO tables',
    });
  }
  if (names.length === 0) {
    throw new WindshearError({
      code: 'slo-dir',
      message: `no SLO tables (*.yaml) in ${dir}`,
      fix: 'add SLO tables as scenarios/slo/<seed>.yaml (see scenarios/README.md)',
    });
  }
  const tables: LoadedSloTable[] = [];
  const problems: Problem[] = [];
  for (const name of names) {
    const abs = join(dir, name);
    const { table, problems: p } = parseSloTableText(await readFile(abs, 'utf8'), displayPath(abs));
    problems.push(...p);
    if (table) tables.push(table);
  }
  const owner = new Map<string, string>();
  for (const t of tables) {
    for (const row of t.rows) {
      const first = owner.get(row.id);
      if (first !== undefined) {
        problems.push({
          code: 'duplicate-id',
          message: `SLO id "${row.id}" is defined in both ${first} and ${t.file}`,
          file: t.file,
          fix: 'keep one definition; ids are global across the SLO tables',
        });
      } else owner.set(row.id, t.file);
    }
  }
  const boundOwner = new Map<string, string>();
  for (const t of tables)
    for (const b of t.bounds ?? []) {
      const first = boundOwner.get(b.tag);
      if (first !== undefined)
        problems.push({
          code: 'duplicate-bound',
          message: `the latency bound of tag ${b.tag} is stated in both ${first} and ${t.file}`,
          file: t.file,
          fix: 'state each endpoint bound in one table',
        });
      else boundOwner.set(b.tag, t.file);
    }
  if (problems.length > 0) throw new WindshearError(problems);
  return tables;
}

/** Every latency bound the tables state (one per tag; loadSloTables refuses a second). */
export function boundsOf(tables: readonly SloTable[]): LatencyBound[] {
  return tables.flatMap((t) => t.bounds ?? []);
}

/** Every row by id. */
export function sloIndex<R extends SloRow>(tables: readonly { rows: readonly R[] }[]): Map<string, R> {
  const index = new Map<string, R>();
  for (const t of tables) for (const row of t.rows) index.set(row.id, row);
  return index;
}
