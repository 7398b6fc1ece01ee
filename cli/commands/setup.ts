import { type Command, Option } from 'commander';
import type { BuiltImage } from '../../chaos/platforms/compose/image-builder.ts';
import { forwardCheck, readForwardFacts } from '../../chaos/platforms/local/bridge-firewall.ts';
import { chooseNetwork } from '../../chaos/platforms/local/local-platform.ts';
import { preflight } from '../../chaos/platforms/local/preflight.ts';
import { parsePlatformName, platformFor } from '../../chaos/platforms/platform-for.ts';
import { EXIT, formatProblems, WindshearError } from '../../lib/errors.ts';
import { isRoot, onPath } from '../../lib/exec.ts';
import { cacheDir, resolveBinary } from '../../lib/paths.ts';
import { allInstallers } from '../../setup/installers.ts';
import { runSetup } from '../../setup/run-setup.ts';
import { type NetworkMode, PROFILES, type Profile } from '../../system/topology.ts';
import { type PlatformFlag, platformOption } from '../platform-option.ts';
import { table } from '../table.ts';

/** Optional engines the user brings: found or not, and how to get one. Never installed by setup. */
export function optionalEngines(env: NodeJS.ProcessEnv = process.env): {
  id: string;
  state: 'present' | 'absent';
  path?: string;
  how: string;
}[] {
  const k6 = resolveBinary('k6', { envVar: 'K6_BIN', installed: false, env });
  return [
    {
      id: 'k6 (optional)',
      state: k6.path ? 'present' : 'absent',
      ...(k6.path ? { path: k6.path } : {}),
      how: 'optional engine for --engine k6: install k6 yourself and put it on PATH or set K6_BIN (windshear never fetches it); the embedded ws-load needs nothing',
    },
  ];
}

/** What doctor says about network faults: they need root, network namespaces and nft. */
export function networkFaultsStatus(host: { root: boolean; network: NetworkMode; nft: boolean }): string {
  if (host.root && host.network === 'netns' && host.nft)
    return 'available (root: AZs are network namespaces)';
  const why = !host.root
    ? 'not root, the stack runs on loopback addresses'
    : host.network === 'loopback'
      ? 'WINDSHEAR_NETWORK=loopback'
      : 'nft missing';
  return `unavailable: ${why}; process faults only`;
}

export function register(program: Command): void {
  program
    .command('setup')
    .description('install every component windshear runs (idempotent, cached)')
    .option('--json', 'print the result as JSON')
    .addOption(platformOption())
    .addHelpText(
      'after',
      `
Installs into ${cacheDir()} (override with WINDSHEAR_CACHE):
  Debian packages   PostgreSQL 15 + pg_auto_failover, Redis + Sentinel, HAProxy, nftables, Chromium
  Maven Central     Apache Kafka 4.x jars, OpenSearch 2.19 (codelibs runner)
  Go module proxy   ws-load, the embedded load engine (vegeta as a library), built from loadgen/ws-load
  npm               the project's dependencies (npm install) when package-lock.json changed
A second run with everything present finishes in seconds. Anything that cannot be installed is
listed with the exact command that fixes it, and setup exits 255.

k6 is an optional engine (--engine k6) that setup never fetches: bring your own k6 binary on
PATH or in K6_BIN; \`windshear doctor\` says whether one is found.

--platform compose also installs docker.io and debootstrap, builds Docker Compose (Go module
proxy) and builds the images of the ci profile, each only when its content changed (a daemon is
started for the build when none runs, and stopped after).

Example:
  windshear setup && windshear doctor
  windshear setup --platform compose`,
    )
    .action(async (opts: { json?: boolean } & PlatformFlag) => {
      const started = Date.now();
      const platform = parsePlatformName(opts.platform);
      const log = opts.json ? () => {} : (l: string) => console.log(l);
      // The compose platform's setup (and its image builder) loads only when asked for.
      const compose = platform === 'compose' ? await import('../../setup/compose-setup.ts') : null;
      const installers = [...allInstallers(), ...(compose ? compose.composeInstallers() : [])];
      const reports = await runSetup(installers, { log });
      const bad = reports.filter((r) => r.state === 'failed' || r.state === 'missing');
      let images: BuiltImage[] = [];
      if (compose && bad.length === 0) images = await compose.buildComposeImages('ci', log);
      if (opts.json)
        console.log(
          JSON.stringify(
            { ok: bad.length === 0, components: reports, ...(platform === 'compose' ? { images } : {}) },
            null,
            2,
          ),
        );
      else
        console.log(
          `setup ${bad.length ? 'incomplete' : 'complete'} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
        );
      if (bad.length) {
        throw new WindshearError(
          bad.map((b) => ({
            code: 'not-installed',
            message: `${b.title}: ${b.detail ?? b.state}`,
            fix: b.fix ?? 'windshear setup',
          })),
          EXIT.internal,
        );
      }
    });

  program
    .command('doctor')
    .description(
      'show every component with its version, path and state, and whether this machine can bring the stack up',
    )
    .addOption(
      new Option('--profile <profile>', 'the profile to check memory and disk for')
        .choices([...PROFILES])
        .default('ci'),
    )
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
Checks, before \`up\` needs them: every component installed; where the state lives; that each user
a component runs as (postgres, as root) can enter every parent of its data directory; free memory
and disk for the profile; every address and port the stack binds. Each problem comes with the
command that fixes it. Changes nothing. Exit code 0 when everything is fine, 255 otherwise.`,
    )
    .action(async (opts: { json?: boolean; profile: Profile }) => {
      const reports = await runSetup(allInstallers(), { checkOnly: true });
      const network = chooseNetwork();
      const netFaults = networkFaultsStatus({ root: isRoot(), network, nft: (await onPath('nft')) !== null });
      const optional = optionalEngines();
      const platform = await platformFor('local');
      const planned = platform.plannedTopology(opts.profile);
      const current = platform.current();
      const pre = await preflight(planned, { stackUp: current !== null });
      const bridge = (current ?? planned).bridge;
      if (bridge) {
        // Docker's FORWARD policy against the bridge between the AZ namespaces.
        const fw = forwardCheck(await readForwardFacts(bridge.name), Boolean(current?.bridge));
        pre.checks.push({ id: 'bridge-forward', ok: fw.ok, detail: fw.detail });
        pre.problems.push(...fw.problems);
      }
      if (opts.json) {
        console.log(
          JSON.stringify(
            {
              components: reports,
              optional,
              network,
              networkFaults: netFaults,
              stateDir: pre.stateDir,
              stateDirSource: pre.stateDirSource,
              checks: pre.checks,
              problems: pre.problems,
            },
            null,
            2,
          ),
        );
      } else {
        console.log(
          table(
            ['component', 'state', 'version', 'path / detail'],
            reports.map((r) => [r.id, r.state, r.version, r.path ?? r.detail?.slice(0, 70)]),
          ),
        );
        for (const r of reports.filter((x) => x.fix))
          console.log(`\n${r.id}: ${r.detail ?? 'missing'}\n  fix: ${r.fix}`);
        for (const o of optional)
          console.log(`\n${o.id}: ${o.state}${o.path ? ` (${o.path})` : ''}\n  ${o.how}`);
        console.log(`\nnetwork mode: ${network}\nnetwork faults: ${netFaults}\n`);
        console.log(
          table(
            ['check', 'ok', 'detail'],
            pre.checks.map((c) => [c.id, c.ok ? 'yes' : 'NO', c.detail]),
          ),
        );
        if (pre.problems.length > 0) console.log(`\n${formatProblems(pre.problems)}`);
      }
      if (reports.some((r) => r.state !== 'present') || pre.problems.length > 0)
        process.exitCode = EXIT.internal;
    });
}
