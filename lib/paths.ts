import { accessSync, constants } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
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
  /** `owner=<state dir>`: every load engine this checkout starts carries it in its arguments, so `down` finds a leftover one. */
  engineOwner: () => `owner=${stateDir()}`,
};

/** True when `path` is a file this process may execute. */
export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `name` in a directory of PATH, or null. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | null {
  for (const d of (env.PATH ?? '').split(delimiter)) {
    if (d.length === 0) continue;
    const p = join(d, name);
    if (isExecutable(p)) return p;
  }
  return null;
}

/**
 * The one resolver of the binaries windshear runs: an explicit override (an environment
 * variable such as K6_BIN), then what `windshear setup` installed into the cache (`installed`),
 * then PATH. Returns the candidates tried when none is executable.
 */
export function resolveBinary(
  name: string,
  opts: { envVar?: string; installed?: boolean; env?: NodeJS.ProcessEnv } = {},
): { path: string | null; tried: string[]; override?: string } {
  const env = opts.env ?? process.env;
  const tried: string[] = [];
  const override = opts.envVar ? env[opts.envVar] : undefined;
  if (override) return { path: isExecutable(override) ? override : null, tried: [override], override };
  if (opts.installed !== false) {
    const cached = paths.bin(name);
    tried.push(cached);
    if (isExecutable(cached)) return { path: cached, tried };
  }
  tried.push(`${name} on PATH`);
  return { path: findOnPath(name, env), tried };
}
