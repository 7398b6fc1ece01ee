import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { badInput } from '../lib/errors.ts';

/** Repository root (this file is `<repo>/loadgen/k6-bin.ts`). */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Where the k6 binary is looked for, in order. */
export function k6Candidates(env: NodeJS.ProcessEnv = process.env, repoRoot = REPO_ROOT): string[] {
  const fromPath = (env.PATH ?? '')
    .split(delimiter)
    .filter((d) => d.length > 0)
    .map((d) => join(d, 'k6'));
  return [
    ...(env.K6_BIN ? [env.K6_BIN] : []),
    join(repoRoot, '.windshear', 'bin', 'k6'),
    '/tmp/warm/bin/k6',
    ...fromPath,
  ];
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The k6 binary: `K6_BIN`, then `<repo>/.windshear/bin/k6`, then `/tmp/warm/bin/k6`, then PATH.
 * A `K6_BIN` that is not executable is an error (it was asked for explicitly).
 */
export function resolveK6Bin(env: NodeJS.ProcessEnv = process.env, repoRoot = REPO_ROOT): string {
  if (env.K6_BIN && !executable(env.K6_BIN))
    throw badInput(
      'k6-missing',
      `K6_BIN=${env.K6_BIN} is not an executable file`,
      'unset K6_BIN or point it at a k6 binary; `windshear setup` installs one',
    );
  const found = k6Candidates(env, repoRoot).find(executable);
  if (!found)
    throw badInput(
      'k6-missing',
      'k6 was not found (K6_BIN, .windshear/bin/k6, /tmp/warm/bin/k6, PATH)',
      'run `windshear setup` to install k6 into .windshear/bin',
    );
  return found;
}

/** Environment every k6 process runs with: no usage report (offline, and not ours to send). */
export function k6ProcessEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...base, K6_NO_USAGE_REPORT: 'true' };
}
