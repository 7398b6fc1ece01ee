import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { exec } from '../lib/exec.ts';
import { paths, REPO_ROOT } from '../lib/paths.ts';
import type { Installer } from './installer.ts';

export const wsNetemBin = () => paths.bin('ws-netem');
export const WS_NETEM_SRC = join(REPO_ROOT, 'chaos', 'tools', 'ws-netem');
const versionFile = () => `${wsNetemBin()}.source`;

/** sha256 of the helper's sources (go.mod, go.sum, non-test .go files): a change rebuilds it. */
export function wsNetemSourceHash(src = WS_NETEM_SRC): string {
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
 * ws-netem, the NFQUEUE delay helper (chaos/tools/ws-netem), built from this checkout with
 * `go build`; its dependencies come from the Go module proxy. Delay faults need it on kernels
 * without the netem qdisc.
 */
export function wsNetemInstaller(): Installer {
  const hash = wsNetemSourceHash();
  return {
    id: 'ws-netem',
    title: 'ws-netem (packet delay helper, built from chaos/tools/ws-netem)',
    version: `source ${hash}`,
    fix: 'windshear setup (needs Go >= 1.25 and the Go module proxy)',
    async detect() {
      const bin = wsNetemBin();
      if (!existsSync(bin)) return { ok: false, detail: `${bin} not found` };
      const built = existsSync(versionFile()) ? readFileSync(versionFile(), 'utf8').trim() : '';
      const r = await exec(bin, ['--version']);
      const version = /ws-netem (\S+)/.exec(r.stdout)?.[1];
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
      const bin = wsNetemBin();
      mkdirSync(dirname(bin), { recursive: true });
      const env = {
        ...process.env,
        GOPROXY: process.env.GOPROXY?.includes('proxy')
          ? process.env.GOPROXY.replace(/,direct$/, '')
          : 'https://proxy.golang.org',
        GOFLAGS: '-mod=readonly -buildvcs=false',
      };
      log(`go build ${WS_NETEM_SRC}`);
      const tmp = `${bin}.${process.pid}.tmp`;
      const build = await exec('go', ['build', '-trimpath', '-o', tmp, '.'], {
        cwd: WS_NETEM_SRC,
        env,
        timeoutMs: 600_000,
      });
      if (build.exitCode !== 0) throw new Error(`go build failed: ${build.stderr.slice(-800)}`);
      renameSync(tmp, bin);
      writeFileSync(versionFile(), `${hash}\n`);
    },
  };
}
