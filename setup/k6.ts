import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exec } from '../lib/exec.ts';
import { cacheDir, paths } from '../lib/paths.ts';
import type { Installer } from './installer.ts';
import { VERSIONS } from './versions.ts';

export const k6Bin = () => paths.bin('k6');

/**
 * k6 is built from the Go module proxy. `go install go.k6.io/k6/v2@version` asks the proxy for
 * the module's version list, which it does not serve for v2; a tiny module that requires k6
 * and calls its main package builds the same binary.
 */
export function k6Installer(): Installer {
  return {
    id: 'k6',
    title: 'k6 (load generator, built from source)',
    version: VERSIONS.k6,
    fix: 'windshear setup (needs Go >= 1.25 and the Go module proxy)',
    async detect() {
      if (!existsSync(k6Bin())) return { ok: false, detail: `${k6Bin()} not found` };
      const r = await exec(k6Bin(), ['version']);
      const version = /k6 (v\S+)/.exec(r.stdout)?.[1];
      return { ok: version === VERSIONS.k6, path: k6Bin(), ...(version ? { version } : {}) };
    },
    async install(log) {
      const src = join(cacheDir(), `k6-build-${VERSIONS.k6}`);
      mkdirSync(src, { recursive: true });
      mkdirSync(join(cacheDir(), 'bin'), { recursive: true });
      writeFileSync(
        join(src, 'go.mod'),
        `module windshear.local/k6build\n\ngo 1.25\n\nrequire go.k6.io/k6/v2 ${VERSIONS.k6}\n`,
      );
      writeFileSync(
        join(src, 'main.go'),
        'package main\n\nimport "go.k6.io/k6/v2/cmd"\n\nfunc main() { cmd.Execute() }\n',
      );
      const env = {
        ...process.env,
        GOPROXY: process.env.GOPROXY?.includes('proxy')
          ? process.env.GOPROXY.replace(/,direct$/, '')
          : 'https://proxy.golang.org',
        GOFLAGS: '-mod=mod -buildvcs=false',
      };
      log('go mod tidy (downloads k6 and its dependencies)');
      const tidy = await exec('go', ['mod', 'tidy'], { cwd: src, env, timeoutMs: 1_200_000 });
      if (tidy.exitCode !== 0) throw new Error(`go mod tidy failed: ${tidy.stderr.slice(-800)}`);
      log('go build (a few minutes on 2 cores)');
      const build = await exec('go', ['build', '-trimpath', '-o', k6Bin(), '.'], {
        cwd: src,
        env,
        timeoutMs: 1_800_000,
      });
      if (build.exitCode !== 0) throw new Error(`go build failed: ${build.stderr.slice(-800)}`);
    },
  };
}
