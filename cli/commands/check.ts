import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { badInput, EXIT, WindshearError } from '../../lib/errors.ts';
import { outcomeOf } from '../../lib/run-format.ts';
import type { SloRow } from '../../lib/slo.ts';
import { formatResultsTable } from '../../reports/checks/format-results.ts';
import { judge, writeResults } from '../../reports/checks/judge.ts';
import { loadRun } from '../../reports/checks/load-run.ts';
import {
  boundsOf,
  displayPath,
  type LoadedSloTable,
  loadSloTables,
  parseSloTableText,
  sloIndex,
} from '../../scenarios/load-slo.ts';

/** SLO tables from a directory (default scenarios/slo) or from one table file. */
async function tablesFrom(slo: string | undefined): Promise<{ tables: LoadedSloTable[]; single: boolean }> {
  if (slo === undefined) return { tables: await loadSloTables(), single: false };
  const abs = resolve(slo);
  const info = await stat(abs).catch(() => null);
  if (!info)
    throw badInput(
      'slo-path',
      `--slo ${slo} does not exist`,
      'pass an SLO table directory or one *.yaml table',
    );
  if (info.isDirectory()) return { tables: await loadSloTables(abs), single: false };
  const { table, problems } = parseSloTableText(await readFile(abs, 'utf8'), displayPath(abs));
  if (!table) throw new WindshearError(problems);
  return { tables: [table], single: true };
}

/**
 * The rows to judge: the scenario's `slos` ids resolved in the tables (every id must be found, or
 * with one table file only those it holds); every row of the tables when scenario.json lists none.
 */
function rowsFor(
  ids: string[] | undefined,
  tables: LoadedSloTable[],
  single: boolean,
  slo: string | undefined,
): SloRow[] {
  const all = tables.flatMap((t) => t.rows);
  if (!ids) return all;
  const index = sloIndex(tables);
  const missing = ids.filter((id) => !index.has(id));
  if (missing.length > 0 && (!single || missing.length === ids.length))
    throw new WindshearError(
      missing.map((id) => ({
        code: 'slo-unknown-id',
        message: `the run's scenario references SLO "${id}", which ${slo ? `--slo ${slo}` : 'scenarios/slo'} does not define`,
        fix: single
          ? "pass a table that holds the scenario's rows, or a directory"
          : 'add the row to a table, or pass --slo with the tables the run was judged against',
      })),
    );
  return ids.flatMap((id) => {
    const r = index.get(id);
    return r ? [r] : [];
  });
}

/** `windshear check <run-dir> [--slo <dir-or-file>] [--json]`: re-judge a stored run. */
export function register(program: Command): void {
  program
    .command('check')
    .description(
      're-judge a stored run against the SLO tables (also a changed table) without re-running load',
    )
    .argument('<run-dir>', 'run directory, e.g. reports/runs/broker-loss/20250301T120000Z')
    .option('--slo <dir-or-file>', 'SLO table directory or one table file (default: scenarios/slo)')
    .option('--json', 'print results.json instead of a table')
    .action(async (runDir: string, opts: { slo?: string; json?: boolean }) => {
      const run = await loadRun(runDir);
      const { tables, single } = await tablesFrom(opts.slo);
      const rows = rowsFor(run.scenario?.slos, tables, single, opts.slo);
      const used = tables.filter((t) => t.rows.some((r) => rows.includes(r))).map((t) => t.file);
      const results = judge(run, rows, { sloTables: used, bounds: boundsOf(tables) });
      await writeResults(runDir, results);
      for (const w of run.warnings) process.stderr.write(`warning: ${w}\n`);
      process.stdout.write(
        opts.json ? `${JSON.stringify(results, null, 2)}\n` : `${formatResultsTable(results)}\n`,
      );
      process.exitCode = EXIT[outcomeOf(results)];
    })
    .addHelpText(
      'after',
      '\nRe-writes <run-dir>/results.json. Exit code: 0 every SLO passed, 1 an SLO failed, 2 unknown\n' +
        '(invalid load, missing measurement), 254 bad input.\n\n' +
        'Examples:\n' +
        '  windshear check reports/runs/broker-loss/20250301T120000Z\n' +
        '  windshear check reports/runs/broker-loss/20250301T120000Z --slo my-slo/ --json',
    );
}
