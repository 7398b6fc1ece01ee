import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { type Problem, WindshearError } from '../../lib/errors.ts';
import { type LoadedScenario, loadCatalog, loadScenario } from '../../scenarios/load-scenario.ts';
import { displayPath, loadSloTables, parseSloTableText } from '../../scenarios/load-slo.ts';
import { PROFILE_NAMES, type ProfileName, profileScenarios } from '../../scenarios/profiles.ts';
import { requiredCapabilities } from '../../scenarios/required-capabilities.ts';

/** One catalogue entry as `windshear list --json` prints it. */
export interface ScenarioSummary {
  name: string;
  file: string;
  hypothesis: string;
  /** Fault kinds in schedule order, without repeats. */
  faultKinds: string[];
  faults: { id: string; fault: string; target: string; atSec: number; forSec: number }[];
  slos: string[];
  /** Platform capabilities the faults need. */
  needs: string[];
  /** Profiles that run it when no scenario is named. */
  profiles: string[];
  durationSec: number;
}

export function summarize(l: LoadedScenario, catalogue: readonly string[]): ScenarioSummary {
  const s = l.scenario;
  return {
    name: s.name,
    file: l.file,
    hypothesis: s.hypothesis,
    faultKinds: [...new Set(s.faults.map((f) => f.fault))],
    faults: s.faults.map((f) => ({
      id: f.id,
      fault: f.fault,
      target: f.target,
      atSec: f.atSec,
      forSec: f.forSec,
    })),
    slos: [...s.slos],
    needs: requiredCapabilities(s).map((r) => r.capability),
    profiles: PROFILE_NAMES.filter((p) => profileScenarios(p, catalogue).includes(s.name)),
    durationSec: s.load.durationSec,
  };
}

/** Text listing: name, fault kinds, ci duration and profiles on one line, then hypothesis and SLO ids. */
export function formatSummaries(list: readonly ScenarioSummary[]): string {
  const width = Math.max(0, ...list.map((s) => s.name.length));
  return list
    .map((s) => {
      const kinds = s.faultKinds.length > 0 ? s.faultKinds.join(', ') : 'no faults';
      return [
        `${s.name.padEnd(width)}  ${kinds}  (${s.durationSec}s; ${s.profiles.join(', ') || 'no profile'})`,
        `  ${s.hypothesis}`,
        `  SLOs: ${s.slos.join(', ')}`,
      ].join('\n');
    })
    .join('\n\n');
}

/**
 * Validates scenario files and SLO tables (files in a directory named `slo`); every problem at
 * once. Scenarios are checked against `profile`'s topology, else every profile that runs them.
 */
export async function validateFiles(
  files: readonly string[],
  profile?: ProfileName,
): Promise<{ ok: string[]; problems: Problem[] }> {
  const ok: string[] = [];
  const problems: Problem[] = [];
  for (const file of files) {
    try {
      if (basename(dirname(resolve(file))) === 'slo') {
        const text = await readFile(file, 'utf8').catch(() => null);
        if (text === null) {
          problems.push({ code: 'slo-file', message: `cannot read ${file}`, file, fix: 'check the path' });
          continue;
        }
        const r = parseSloTableText(text, displayPath(resolve(file)));
        if (r.table) ok.push(`${r.table.file}: SLO table, ${r.table.rows.length} rows`);
        problems.push(...r.problems);
      } else {
        const l = await loadScenario(file, profile ? { profile } : {});
        ok.push(
          `${l.file}: scenario ${l.scenario.name}, ${l.scenario.faults.length} faults, ${l.slos.length} SLO rows`,
        );
      }
    } catch (err) {
      if (!(err instanceof WindshearError)) throw err;
      problems.push(...err.problems);
    }
  }
  return { ok, problems };
}

export function register(program: Command): void {
  program
    .command('list')
    .description('list the scenario catalogue: hypothesis, fault kinds and SLO rows of each scenario')
    .option('--json', 'print JSON instead of text')
    .option('--slos', 'list the SLO rows (id, objective, source) instead of the scenarios')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  windshear list                  every scenario with its hypothesis, faults and SLO ids\n' +
        '  windshear list --json           the same as JSON (faults with times, needed capabilities)\n' +
        '  windshear list --slos           every SLO row and the seed it comes from\n',
    )
    .action(async (opts: { json?: boolean; slos?: boolean }) => {
      if (opts.slos) {
        const rows = (await loadSloTables()).flatMap((t) => t.rows);
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
          return;
        }
        const width = Math.max(0, ...rows.map((r) => r.id.length));
        for (const r of rows) {
          const objective = `${r.objective.op} ${r.objective.value} ${r.unit}${r.scaled ? ' × scale' : ''}`;
          process.stdout.write(
            `${r.id.padEnd(width)}  ${objective.padEnd(22)}  ${r.source.seed}: ${r.source.table}\n`,
          );
        }
        return;
      }
      const catalogue = await loadCatalog();
      const names = catalogue.map((l) => l.scenario.name);
      const list = catalogue.map((l) => summarize(l, names));
      process.stdout.write(opts.json ? `${JSON.stringify(list, null, 2)}\n` : `${formatSummaries(list)}\n`);
    });

  program
    .command('validate')
    .description('validate scenario files and SLO tables, reporting every problem at once (exit 254 on any)')
    .argument('<file...>', 'scenario YAML files, or SLO tables (files in a directory named slo/)')
    .addOption(
      new Option(
        '--profile <profile>',
        "check selectors against this profile's topology (default: every profile that runs the scenario)",
      ).choices([...PROFILE_NAMES]),
    )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  windshear validate my-scenario.yaml\n' +
        '  windshear validate scenarios/catalog/*.yaml scenarios/slo/*.yaml\n\n' +
        'Each problem names its file, line and path (e.g. faults[1].target) and how to fix it.\n',
    )
    .action(async (files: string[], opts: { profile?: ProfileName }) => {
      const { ok, problems } = await validateFiles(files, opts.profile);
      for (const line of ok) process.stdout.write(`ok  ${line}\n`);
      if (problems.length > 0) throw new WindshearError(problems);
    });
}
