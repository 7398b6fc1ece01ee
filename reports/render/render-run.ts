import { LINKED_FILES, RUN_FILES } from '../../lib/run-store/run-files.ts';
import { writeReportFiles } from '../../lib/run-store/write-run-file.ts';
import { loadRun } from './load-run.ts';
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
  const present = new Set([...run.rawFiles, RUN_FILES.junit, RUN_FILES.summary]);
  run.rawFiles = LINKED_FILES.filter((f) => present.has(f));
  const junit = renderJunit(run.results);
  const summary = renderSummary(run.results, [RUN_FILES.report, ...run.rawFiles]);
  const report = await renderReportHtml(run);
  return { files: await writeReportFiles(runDir, { junit, summary, report }) };
}
