import type { RunResults } from '../../lib/run-format.ts';

const num = (v: number) => String(Math.round(v * 1000) / 1000);

/** Plain-text table of a judgement: one line per SLO (id, measured, objective, verdict), then the overall verdict. */
export function formatResultsTable(results: RunResults): string {
  const rows = results.slos.map((s) => [
    s.id,
    s.measured === null ? '-' : `${num(s.measured)} ${s.unit}`,
    `${s.objective.op} ${num(s.objective.value)} ${s.unit}`,
    s.verdict.toUpperCase(),
  ]);
  const head = ['id', 'measured', 'objective', 'verdict'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const notes = results.slos.filter((s) => s.verdict !== 'pass').map((s) => `  ${s.id}: ${s.detail}`);
  return [
    line(head),
    ...rows.map(line),
    '',
    ...(notes.length > 0 ? ['not passed:', ...notes, ''] : []),
    `${results.scenario}: ${results.verdict.toUpperCase()} (${results.runDir})`,
  ].join('\n');
}
