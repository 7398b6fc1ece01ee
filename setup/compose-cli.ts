import { cpSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { exec } from '../lib/exec.ts';
import { paths } from '../lib/paths.ts';
import type { Installer } from './installer.ts';
import { VERSIONS } from './versions.ts';

export const COMPOSE_MODULE = 'github.com/docker/compose/v5';

/**
 * Docker Compose v2+ (Debian 12 packages only v1), built with `go build` from the module's
 * source as the Go module proxy serves it, into the cache's bin directory. The platform calls
 * the binary itself (standalone mode), so no CLI plugin directory is touched.
 */
export function composeCliInstaller(): Installer {
  const bin = paths.bin('docker-compose');
  const want = VERSIONS.compose;
  return {
    id: 'docker-compose',
    title: `Docker Compose ${want} (built from ${COMPOSE_MODULE})`,
    version: want,
    fix: 'windshear setup --platform compose (needs Go >= 1.25 and the Go module proxy)',
    async detect() {
      const r = await exec(bin, ['version', '--short'], { timeoutMs: 10_000 });
      const version = r.stdout.trim().replace(/^v?/, 'v');
      if (r.exitCode !== 0) return { ok: false, detail: `${bin} not found` };
      return version === want
        ? { ok: true, path: bin, version }
        : { ok: false, path: bin, detail: `${bin} is ${version}, want ${want}` };
    },
    async install(log) {
      log(`go mod download ${COMPOSE_MODULE}@${want}`);
      const dl = await exec('go', ['mod', 'download', '-json', `${COMPOSE_MODULE}@${want}`], {
        timeoutMs: 900_000,
      });
      const dir = dl.exitCode === 0 ? (JSON.parse(dl.stdout) as { Dir?: string }).Dir : undefined;
      if (!dir) throw new Error(`go mod download failed: ${(dl.stderr || dl.stdout).slice(-600)}`);
      // The module cache is read-only: build in a writable copy.
      const work = mkdtempSync(join(tmpdir(), 'ws-compose-src-'));
      try {
        cpSync(dir, work, { recursive: true });
        await exec('chmod', ['-R', 'u+w', work]);
        mkdirSync(dirname(bin), { recursive: true });
        const tmp = `${bin}.${process.pid}.tmp`;
        log('go build ./cmd (about 2 min on 2 cores, the first time its modules are fetched too)');
        // The version is injected at link time as compose's own Makefile does; without it the
        // binary says `dev` and detect() above would never accept it.
        const ldflags = `-w -X ${COMPOSE_MODULE}/internal.Version=${want}`;
        const b = await exec('go', ['build', '-trimpath', '-ldflags', ldflags, '-o', tmp, './cmd'], {
          cwd: work,
          env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=mod -buildvcs=false' },
          timeoutMs: 1_800_000,
        });
        if (b.exitCode !== 0) throw new Error(`go build failed: ${b.stderr.slice(-800)}`);
        renameSync(tmp, bin);
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    },
  };
}
