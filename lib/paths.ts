import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is `<root>/lib/paths.ts`). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Installed components (jars, k6): shared by every checkout on the machine, so a fresh clone
 * (CI) reuses them. Override with WINDSHEAR_CACHE.
 */
export function cacheDir(): string {
  return process.env.WINDSHEAR_CACHE ?? join(homedir(), '.cache', 'windshear');
}

/** Runtime state of this checkout: state file, data directories, logs, journal. */
export function stateDir(): string {
  return process.env.WINDSHEAR_STATE ?? join(REPO_ROOT, '.windshear');
}

export const paths = {
  stateFile: () => join(stateDir(), 'state.json'),
  journal: () => join(stateDir(), 'journal.jsonl'),
  /** HistoryEvents of `windshear chaos inject` and `heal`, appended; `down` keeps it. */
  chaosHistory: () => join(stateDir(), 'chaos-history.jsonl'),
  dataRoot: () => join(stateDir(), 'data'),
  logsDir: () => join(stateDir(), 'logs'),
  bin: (name: string) => join(cacheDir(), 'bin', name),
};
