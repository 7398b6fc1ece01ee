import { exec, isRoot } from '../lib/exec.ts';
import type { Installer } from './installer.ts';
import { APT_PACKAGES } from './versions.ts';

/** Installed version of each Debian package, or null when absent. */
export async function dpkgVersions(pkgs: readonly string[]): Promise<Record<string, string | null>> {
  // dpkg-query's own format syntax, not a template string.
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query format
  const r = await exec('dpkg-query', ['-W', '-f=${Package} ${Status} ${Version}\n', ...pkgs]);
  const out: Record<string, string | null> = Object.fromEntries(pkgs.map((p) => [p, null]));
  for (const line of r.stdout.split('\n')) {
    const m = /^(\S+) install ok installed (\S+)$/.exec(line.trim());
    if (m?.[1] && m[2]) out[m[1]] = m[2];
  }
  return out;
}

export function aptInstaller(
  pkgs: readonly string[] = APT_PACKAGES,
  names: { id: string; title: string } = {
    id: 'debian-packages',
    title:
      'Debian packages (PostgreSQL 15 + pg_auto_failover, Redis + Sentinel, HAProxy, nftables, Chromium)',
  },
): Installer {
  const cmd = `apt-get update && apt-get install -y --no-install-recommends ${pkgs.join(' ')}`;
  return {
    ...names,
    version: 'bookworm',
    fix: isRoot() ? cmd : `sudo sh -c '${cmd}'`,
    async detect() {
      const v = await dpkgVersions(pkgs);
      const missing = pkgs.filter((p) => !v[p]);
      return missing.length === 0
        ? { ok: true, version: `${pkgs.length} packages`, detail: pkgs.map((p) => `${p} ${v[p]}`).join(', ') }
        : { ok: false, detail: `missing: ${missing.join(' ')}` };
    },
    install: isRoot()
      ? async (log) => {
          const v = await dpkgVersions(pkgs);
          const missing = pkgs.filter((p) => !v[p]);
          const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
          log(`apt-get update`);
          await exec('apt-get', ['update'], { env, timeoutMs: 300_000 });
          log(`apt-get install ${missing.join(' ')}`);
          const r = await exec('apt-get', ['install', '-y', '--no-install-recommends', ...missing], {
            env,
            timeoutMs: 1_200_000,
            onLine: (l) => {
              if (/^(Setting up|Unpacking) /.test(l)) log(l);
            },
          });
          if (r.exitCode !== 0)
            throw new Error(`apt-get install failed (exit ${r.exitCode}): ${r.stderr.slice(-800)}`);
          // Debian starts packaged servers where systemd exists; windshear runs its own instances.
          for (const svc of ['redis-server', 'redis-sentinel', 'haproxy', 'postgresql']) {
            await exec('service', [svc, 'stop'], { timeoutMs: 20_000 });
          }
        }
      : undefined,
  };
}
