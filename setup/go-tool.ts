import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { exec } from '../lib/exec.ts';
import { paths } from '../lib/paths.ts';
import type { Installer } from './installer.ts';

/** sha256 of a Go tool's sources (go.mod, go.sum, non-test .go files): a change rebuilds it. */
export function goSourceHash(src: string): string {
  const h = createHash('sha256');
  const files = readdirSync(src)
    .filter((f) => f === 'go.mod' || f === 'go.sum' || (f.endsWith('.go') && !f.endsWith('_test.go')))
    .sort();
  for (const f of files)
    h.update(`${f}\0`)
      .update(readFileSync(join(src, f)))
      .update('\0');
  return h.digest('hex').slice(0, 16);
}

/**
 * A Go program of this repository, built with `go build` into the cache's bin directory (its
 * dependencies from the Go module proxy, pinned by its go.sum) and rebuilt when its sources
 * change. `<bin> --version` must print `<name> <version>`.
 */
export function goToolInstaller(o: { id: string; title: string; src: string }): Installer {
  const bin = paths.bin(o.id);
  const versionFile = `${bin}.source`;
  const hash = goSourceHash(o.src);
  return {
    id: o.id,
    title: o.title,
    version: `source ${hash}`,
    fix: 'windshear setup (needs Go >= 1.25 and the Go module proxy)',
    async detect() {
      if (!existsSync(bin)) return { ok: false, detail: `${bin} not found` };
      const built = existsSync(versionFile) ? readFileSync(versionFile, 'utf8').trim() : '';
      const r = await exec(bin, ['--version']);
      const version = new RegExp(`${o.id} (\\S+)`).exec(r.stdout)?.[1];
      if (!version) return { ok: false, path: bin, detail: `${bin} --version failed` };
      const ok = built === hash;
      return {
        ok,
        path: bin,
        version: `${version} (source ${built || 'unknown'})`,
        ...(ok ? {} : { detail: `built from source ${built || 'unknown'}, checkout has ${hash}` }),
      };
    },
    async install(log) {
      mkdirSync(dirname(bin), { recursive: true });
      log(`go build ${o.src} (the first build fetches its modules: about a minute on 2 cores)`);
      const tmp = `${bin}.${process.pid}.tmp`;
      const build = await exec('go', ['build', '-trimpath', '-o', tmp, '.'], {
        cwd: o.src,
        env: { ...process.env, GOFLAGS: '-mod=readonly -buildvcs=false' },
        timeoutMs: 900_000,
      });
      if (build.exitCode !== 0) throw new Error(`go build failed: ${build.stderr.slice(-800)}`);
      renameSync(tmp, bin);
      writeFileSync(versionFile, `${hash}\n`);
    },
  };
}
