import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadRun, RAW_FILES } from './load-run.ts';
import { renderJunit } from './render-junit.ts';
import { renderReportHtml } from './render-report-html.ts';
import { renderSummary } from './render-summary.ts';

/**
 * Renders report.html, junit.xml and summary.md into a judged run directory (one with
 * results.json). Output depends only on the directory's files; re-rendering overwrites them.
 * Returns the paths written, joined onto `runDir` as given.
 */
export async function renderRun(runDir: string): Promise<{ files: string[] }> {
  const run = await loadRun(runDir);
  // The report links the files this call writes too.
  const present = new Set([...run.rawFiles, 'junit.xml', 'summary.md']);
  run.rawFiles = RAW_FILES.filter((f) => present.has(f));
  const outputs: [string, string][] = [
    ['junit.xml', renderJunit(run.results)],
    ['summary.md', renderSummary(run.results, ['report.html', ...run.rawFiles])],
    ['report.html', await renderReportHtml(run)],
  ];
  const files: string[] = [];
  for (const [name, text] of outputs) {
    const file = join(runDir, name);
    await writeFile(file, text);
    files.push(file);
  }
  return { files };
}
