import { createHash } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import { homedir } from 'node:os';
import { basename, delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is `<root>/lib/paths.ts`). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Installed components (jars, the Go tools): shared by every checkout on the machine, so a fresh clone
 * (CI) reuses them. Override with WINDSHEAR_CACHE.
 */
export function cacheDir(): string {
  return process.env.WINDSHEAR_CACHE ?? join(homedir(), '.cache', 'windshear');
}

/** Where root keeps the state of every checkout (FHS: variable state of a program). */
export const SYSTEM_STATE_BASE = '/var/lib/windshear';

/** Why the state directory is where it is (shown by `windshear doctor`). */
export type StateDirSource = 'env' | 'system' | 'checkout';

/**
 * The state directory of a checkout, as a pure function of who runs and where the checkout is.
 *
 * As root, components run as other users (PostgreSQL refuses root and runs as `postgres`), and
 * those users must enter every parent of their data directory. A checkout may live anywhere,
 * also under a directory only root can enter (root's home, `mktemp -d`), so root keeps state in
 * `/var/lib/windshear/<checkout name>-<8 hex of its path>`: one directory per checkout, every
 * parent traversable, and the same answer at `up` and at a `down` after a crash (it depends on
 * nothing that a chmod could change). Without root every component runs as the invoking user,
 * who can reach the checkout, so state stays in `<checkout>/.windshear`.
 */
export function resolveStateDir(opts: { env: string | undefined; root: boolean; repoRoot: string }): {
  dir: string;
  source: StateDirSource;
} {
  if (opts.env) return { dir: resolve(opts.env), source: 'env' };
  if (opts.root) {
    const key = createHash('sha256').update(opts.repoRoot).digest('hex').slice(0, 8);
    return { dir: join(SYSTEM_STATE_BASE, `${basename(opts.repoRoot)}-${key}`), source: 'system' };
  }
  return { dir: join(opts.repoRoot, '.windshear'), source: 'checkout' };
}

const asRoot = () => process.getuid?.() === 0;

/** Runtime state of this checkout: state file, data directories, logs, journal. WINDSHEAR_STATE overrides. */
export function stateDir(): string {
  return stateDirInfo().dir;
}

export function stateDirInfo(): { dir: string; source: StateDirSource } {
  return resolveStateDir({ env: process.env.WINDSHEAR_STATE, root: asRoot(), repoRoot: REPO_ROOT });
}

export const paths = {
  stateFile: () => join(stateDir(), 'state.json'),
  /** Where versions before the system state root kept the state file (root, no WINDSHEAR_STATE). */
  legacyStateFile: () => join(REPO_ROOT, '.windshear', 'state.json'),
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
