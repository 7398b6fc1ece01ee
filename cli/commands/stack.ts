import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Command, Option } from 'commander';
import { platformFor } from '../../chaos/platforms/platform-for.ts';
import { badInput } from '../../lib/errors.ts';
import { paths } from '../../lib/paths.ts';
import { PROFILES, type Profile } from '../../system/topology.ts';
import { type PlatformFlag, platformOption } from '../platform-option.ts';
import { table } from '../table.ts';

const stamp = () => new Date().toISOString().slice(11, 19);

export function register(program: Command): void {
  program
    .command('up')
    .description('bring up the three-AZ platform on this machine and wait until it is really ready')
    .addOption(
      new Option(
        '--profile <profile>',
        'ci: one API replica per AZ; full: two per AZ and larger OpenSearch heaps',
      )
        .choices([...PROFILES])
        .default('ci'),
    )
    .option('--no-services', 'bring up the infrastructure only, without the services of system/')
    .addOption(platformOption())
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
Each AZ (az-a, az-b, az-c) is a network namespace (ws-az-a ...) joined by the bridge ws-br0
when run as root; otherwise every component runs on a loopback address per AZ (127.0.N.1) and
only process faults are available. Brought up and checked:
  Kafka       3 KRaft brokers+controllers, RF 3, min ISR 2, unclean election off
  Redis       primary in az-a, replicas in az-b and az-c, a Sentinel per AZ
  PostgreSQL  primary (az-a), synchronous standby (az-b), pg_auto_failover monitor (az-c)
  OpenSearch  3 data nodes, one per AZ, one cluster; 1 replica per shard, copies spread by zone;
              512 MB heap each (ci) or 768 MB (full)
  HAProxy     the ingress on 127.0.0.1:18080 (stats on :18081), health-checking the API replicas
Logs: windshear logs <component>. Tear down: windshear down.

Examples:
  windshear up
  windshear up --profile full && windshear status`,
    )
    .action(async (opts: { profile: Profile; services: boolean; json?: boolean } & PlatformFlag) => {
      const platform = await platformFor(opts.platform, opts.services ? {} : { services: false });
      const log = opts.json ? () => {} : (l: string) => console.log(`${stamp()} ${l}`);
      const r = await platform.up({ profile: opts.profile, onProgress: log });
      if (opts.json) {
        console.log(
          JSON.stringify({
            readyMs: r.readyMs,
            profile: opts.profile,
            network: r.topology.network,
            edge: r.topology.edge,
          }),
        );
      } else {
        console.log(
          `ready in ${(r.readyMs / 1000).toFixed(1)} s — edge http://${r.topology.edge.host}:${r.topology.edge.port}, ` +
            `${r.topology.components.length} components (${r.topology.network} mode). Next: windshear status`,
        );
      }
    });

  program
    .command('status')
    .description('show every component: AZ, address, pid, live role and health')
    .addOption(platformOption())
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      '\nRoles are observed live: the KRaft controller leader, partition leaders, the Redis primary as\nSentinel reports it, the PostgreSQL primary, HAProxy backend states. Exit code 254 when nothing is up.',
    )
    .action(async (opts: { json?: boolean } & PlatformFlag) => {
      const platform = await platformFor(opts.platform);
      const topology = platform.current();
      if (!topology) throw badInput('not-up', 'no windshear stack is up', 'run `windshear up`');
      const rows = await platform.status();
      if (opts.json) {
        console.log(
          JSON.stringify({ profile: topology.profile, network: topology.network, components: rows }, null, 2),
        );
        return;
      }
      console.log(
        table(
          ['component', 'az', 'address', 'pid', 'role', 'health', 'detail'],
          rows.map((r) => [
            r.name,
            r.az,
            r.address,
            r.pid,
            r.role,
            r.health,
            [
              r.detail,
              r.overrides
                ? `UNSAFE ${Object.entries(r.overrides)
                    .map(([k, v]) => `${k}=${v}`)
                    .join(' ')}`
                : '',
            ]
              .filter(Boolean)
              .join('; '),
          ]),
        ),
      );
      const caps = platform.capabilities();
      if (!caps.networkFaults) console.log(`\nnetwork faults unavailable: ${caps.missing.networkFaults}`);
    });

  program
    .command('logs')
    .description('print the log of one component (or list the logs)')
    .argument('[component]', 'component name, e.g. kafka-1, redis-a, pg-b, opensearch-c, haproxy')
    .option('-n, --lines <n>', 'how many lines from the end', '100')
    .addHelpText(
      'after',
      `\nLogs are kept in ${paths.logsDir()} until the next \`windshear up\`.\n\nExamples:\n  windshear logs\n  windshear logs kafka-2 -n 50`,
    )
    .action((component: string | undefined, opts: { lines: string }) => {
      const dir = paths.logsDir();
      const names = existsSync(dir)
        ? readdirSync(dir)
            .filter((f) => f.endsWith('.log'))
            .map((f) => f.slice(0, -4))
        : [];
      if (!component) {
        if (names.length === 0)
          throw badInput('no-logs', `no component logs in ${dir}`, 'run `windshear up` first');
        console.log(names.sort().join('\n'));
        return;
      }
      if (!names.includes(component)) {
        throw badInput(
          'unknown-component',
          `no log for "${component}"`,
          `pick one of: ${names.sort().join(', ') || '(none: run windshear up)'}`,
        );
      }
      const n = Number(opts.lines);
      if (!Number.isInteger(n) || n <= 0)
        throw badInput(
          'bad-flag',
          `--lines must be a positive whole number, got "${opts.lines}"`,
          'e.g. -n 200',
        );
      const lines = readFileSync(join(dir, `${component}.log`), 'utf8').split('\n');
      console.log(lines.slice(-n - 1).join('\n'));
    });

  program
    .command('down')
    .description(
      'stop every process and remove every namespace, link, rule and data directory windshear created',
    )
    .option(
      '--force',
      "also remove ws-* namespaces, links and rules found without a state file, even another checkout's running stack",
    )
    .addOption(platformOption())
    .option('--json', 'print what was removed as JSON')
    .addHelpText(
      'after',
      '\nWorks from the state file, also after the harness was killed with SIGKILL; idempotent\n(a second `down` removes nothing and exits 0).',
    )
    .action(async (opts: { force?: boolean; json?: boolean } & PlatformFlag) => {
      const started = Date.now();
      const platform = await platformFor(opts.platform);
      const { removed, leftAlone = [] } = await platform.down({ force: opts.force ?? false });
      const ms = Date.now() - started;
      if (opts.json) console.log(JSON.stringify({ removed, leftAlone, ms }));
      else {
        for (const l of leftAlone) console.log(`left alone: ${l}`);
        console.log(
          removed.length
            ? `removed ${removed.length} objects in ${(ms / 1000).toFixed(1)} s`
            : leftAlone.length
              ? 'nothing of this checkout to remove'
              : 'nothing to do: no windshear stack is up',
        );
      }
    });
}
