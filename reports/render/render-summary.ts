import type { RunResults } from '../../lib/run-format.ts';
import { fmt, verdictLabel } from './html-page.ts';

/** A PR-comment-sized Markdown summary: verdict line, SLO table, lost writes, file names. */
export function renderSummary(results: RunResults, files: string[]): string {
  const n = (v: string) => results.slos.filter((s) => s.verdict === v).length;
  const lines = [
    `### windshear \`${cell(results.scenario)}\`: ${verdictLabel(results.verdict)}`,
    '',
    `${n('pass')} passed · ${n('fail')} failed · ${n('unknown')} unknown · ` +
      `lost writes: ${results.lostWrites.length} · duplicates: ${results.duplicates.length}`,
    '',
    '| state | SLO | measured | objective | margin | source |',
    '|---|---|---:|---|---:|---|',
    ...results.slos.map(
      (s) =>
        `| ${verdictLabel(s.verdict)} | \`${cell(s.id)}\` ${cell(s.title)} | ${fmt(s.measured, s.unit)} | ` +
        `${s.objective.op} ${fmt(s.objective.value, s.unit)} | ${fmt(s.margin, s.unit)} | ` +
        `${cell(s.source.seed)}: ${cell(s.source.table)} |`,
    ),
  ];
  if (results.lostWrites.length > 0) {
    const ids = results.lostWrites.slice(0, 10).map((w) => `\`${cell(w.opId)}\``);
    const more = results.lostWrites.length > 10 ? ` and ${results.lostWrites.length - 10} more` : '';
    lines.push('', `**Lost acknowledged writes: ${results.lostWrites.length}** (${ids.join(', ')}${more})`);
  }
  lines.push('', `Files: ${files.map((f) => `\`${f}\``).join(', ')}`, '');
  return lines.join('\n');
}

/** Makes text safe inside a Markdown table cell. */
function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('`', "'").replace(/\s+/g, ' ').trim();
}
