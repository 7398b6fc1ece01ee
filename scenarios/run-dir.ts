import { join } from 'node:path';
import { REPO_ROOT } from '../lib/paths.ts';

/** Where runs go unless --out says otherwise: `reports/runs/` (gitignored). */
export const RUNS_DIR = join(REPO_ROOT, 'reports', 'runs');

/** `20260301T120000Z`: UTC to the second, sorts by time, safe in a path. */
export function runStamp(d: Date = new Date()): string {
  return d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

/** `reports/runs/<scenario>/<UTC stamp>/` (run-format.ts); `root` replaces `reports/runs`. */
export function runDirFor(scenario: string, d: Date = new Date(), root: string = RUNS_DIR): string {
  return join(root, scenario, runStamp(d));
}
