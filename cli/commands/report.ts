import type { Command } from 'commander';
import { EXIT } from '../../lib/errors.ts';
import { compareRuns } from '../../reports/render/compare-runs.ts';
import { verdictLabel } from '../../reports/render/html-page.ts';
import { loadResults } from '../../reports/render/load-run.ts';
import { renderRun } from '../../reports/render/render-run.ts';
import { renderTrend } from '../../reports/render/render-trend.ts';

/** `windshear report <run-dir>`, `windshear report trend <runs-dir>`, `windshear compare <a> <b>`. */
export function register(program: Command): void {
  const report = program
    .command('report')
    .description(
      're-render report.html, junit.xml and summary.md of a judged run (pure: reads only the run directory)',
    )
    .argument(
      '<run-dir>',
      'run directory holding results.json, e.g. reports/runs/broker-loss/20250301T120000Z',
    )
    .action(async (runDir: string) => {
      const { files } = await renderRun(runDir);
      const results = await loadResults(runDir);
      process.stdout.write(
        `${verdictLabel(results.verdict)} ${results.scenario}\n${files.map((f) => `wrote ${f}`).join('\n')}\n`,
      );
    })
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  windshear report reports/runs/broker-loss/20250301T120000Z\n' +
        '  windshear report trend reports/runs\n' +
        '  windshear report trend reports/runs --fail-on-regression\n\n' +
        'A run without results.json has not been judged yet: run `windshear check <run-dir>` first.',
    );

  report
    .command('trend')
    .description('write <runs-dir>/index.html comparing runs of each scenario over time and list regressions')
    .argument('<runs-dir>', 'folder of <scenario>/<stamp>/ run directories, e.g. reports/runs')
    .option('--fail-on-regression', 'exit 1 when the newest run of any scenario regressed')
    .action(async (runsDir: string, opts: { failOnRegression?: boolean }) => {
      const { file, regressions } = await renderTrend(runsDir);
      const latest = regressions.filter((r) => r.latest);
      const lines = latest.map(
        (r) =>
          `  ▲ ${r.scenario}/${r.run} ${r.series}: ${r.value} ${r.unit} (median ${r.median}, limit ${r.limit})`,
      );
      process.stdout.write(
        `wrote ${file}\n${latest.length} regression(s) in the newest runs${lines.length ? `:\n${lines.join('\n')}` : ''}\n`,
      );
      if (opts.failOnRegression && latest.length > 0) process.exitCode = EXIT.fail;
    })
    .addHelpText(
      'after',
      '\nA value is a regression when it is worse than the median of up to 10 earlier judged runs by more than\n' +
        '3 × max(1.4826 × MAD, 5 % of the median); at least 3 earlier runs are needed.\n\n' +
        'Example:\n  windshear report trend reports/runs --fail-on-regression',
    );

  program
    .command('compare')
    .description('show two judged runs side by side: SLO values, RTO per fault, lost writes')
    .argument('<a>', 'first run directory (the baseline)')
    .argument('<b>', 'second run directory')
    .option('--json', 'print the comparison as JSON')
    .action(async (a: string, b: string, opts: { json?: boolean }) => {
      process.stdout.write(await compareRuns(a, b, { json: opts.json === true }));
    })
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  windshear compare reports/runs/broker-loss/20250301T120000Z reports/runs/broker-loss/20250302T120000Z\n' +
        '  windshear compare <a> <b> --json | jq .slos',
    );
}
