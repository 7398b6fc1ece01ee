import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exec } from '../lib/exec.ts';
import { REPO_ROOT } from '../lib/paths.ts';
import type { Installer } from './installer.ts';

const lockHash = () =>
  createHash('sha256')
    .update(readFileSync(join(REPO_ROOT, 'package-lock.json')))
    .digest('hex')
    .slice(0, 16);
const stamp = () => join(REPO_ROOT, 'node_modules', '.windshear-lock');

/** npm dependencies, installed when package-lock.json changed since the last install. */
export function npmInstaller(): Installer {
  return {
    id: 'npm',
    title: 'npm dependencies',
    version: 'package-lock.json',
    fix: `cd ${REPO_ROOT} && npm install`,
    async detect() {
      const ok = existsSync(stamp()) && readFileSync(stamp(), 'utf8') === lockHash();
      return ok
        ? { ok, version: lockHash(), path: join(REPO_ROOT, 'node_modules') }
        : { ok, detail: 'node_modules is missing or older than package-lock.json' };
    },
    async install(log) {
      // `npm install`, not `npm ci`: the npm here writes locks without other platforms' optional
      // packages and then refuses them in `npm ci`; install still honours the lock's versions.
      const args = ['install'];
      log(`npm ${args[0]}`);
      const r = await exec('npm', [...args, '--no-audit', '--no-fund'], {
        cwd: REPO_ROOT,
        timeoutMs: 900_000,
      });
      if (r.exitCode !== 0) throw new Error(`npm ${args[0]} failed: ${r.stderr.slice(-800)}`);
      writeFileSync(stamp(), lockHash());
    },
  };
}
