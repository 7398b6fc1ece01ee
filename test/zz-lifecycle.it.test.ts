import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { procState } from '../chaos/platforms/local/processes.ts';
import { readState } from '../chaos/platforms/local/state-file.ts';
import { exec, waitFor } from '../lib/exec.ts';
import { paths, REPO_ROOT } from '../lib/paths.ts';
import { runCli } from './run-cli.ts';

const { topology } = inject('stack');

function cwdOf(pid: string): string | null {
  try {
    return readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return null;
  }
}

/** What a process is to the stack (data, infra, service, ws-netem), or null when it is not the stack's. */
function stackProcessKind(pid: string, cmd: string): string | null {
  if (cmd.includes(paths.dataRoot())) return 'data';
  if (
    /OpenSearchRunner|WsOpenSearchNode|kafka\.Kafka|pg_autoctl|redis-(server|sentinel)|haproxy -db/.test(cmd)
  )
    return 'infra';
  // The delay fault's NFQUEUE helper (chaos/platforms/local/net-faults.ts).
  if (/(^|\/)ws-netem\s/.test(cmd)) return 'ws-netem';
  // Services run `node <repo>/.windshear/build/system-main.mjs` (the bundle of system/main.ts) from the repo.
  if (
    /system-main\.mjs\b|system\/main\.ts\b/.test(cmd) &&
    (cmd.includes(REPO_ROOT) || cwdOf(pid) === REPO_ROOT)
  )
    return 'service';
  return null;
}

/** Live (non-zombie) processes of the stack: `<kind> <pid>: <command line>`. */
function strayProcesses(): string[] {
  const out: string[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      // Zombies are exited processes whose parent has not reaped them (here PID 1 never does).
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      const cmd = readFileSync(`/proc/${e}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const kind = stackProcessKind(e, cmd);
      if (kind) out.push(`${kind} ${e}: ${cmd.slice(0, 120)}`);
    } catch {
      // exited
    }
  }
  return out;
}

const strays = (kind: string) => strayProcesses().filter((p) => p.startsWith(`${kind} `));

/** iptables rules of the delay fault (commented `ws_<id>`), in namespace `ns` or on the host. */
async function delayRules(ns?: string): Promise<string[]> {
  const r = ns ? await exec('ip', ['netns', 'exec', ns, 'iptables-save']) : await exec('iptables-save', []);
  expect(r.exitCode, r.stderr).toBe(0);
  return r.stdout.split('\n').filter((l) => /--comment "?ws_/.test(l));
}

/** Starts `windshear chaos inject ... --for 300s` as a detached harness process. */
function harness(args: string[]) {
  return spawn(
    process.execPath,
    [join(REPO_ROOT, 'bin', 'windshear.mjs'), 'chaos', 'inject', ...args, '--for', '300s'],
    {
      cwd: REPO_ROOT,
      stdio: 'ignore',
    },
  );
}

// Runs last (test/sequencer.ts): it takes the shared stack down.
describe('down, and bad input around up/down', () => {
  it.skipIf(topology.network !== 'netns')(
    'a harness killed with SIGKILL mid-partition, mid-delay and mid-pause leaves its faults in place',
    async () => {
      const nsOf = (az: string) => topology.azs.find((a) => a.name === az)!.namespace!;
      const nsC = nsOf('az-c');
      const nsB = nsOf('az-b');
      // One harness at a time: each rewrites the state file.
      const partition = harness(['partition', '--target', 'az:az-c']);
      const cut = await waitFor(async () => {
        const t = await exec('ip', ['netns', 'exec', nsC, 'nft', 'list', 'tables']);
        return /ws_/.test(t.stdout) ? true : null;
      }, 60_000);
      expect(cut).toBe(true);
      const delay = harness(['delay', '--target', 'az:az-b', '--param', 'delayMs=100']);
      const delayed = await waitFor(
        async () => ((await delayRules(nsB)).length > 0 && strays('ws-netem').length === 1 ? true : null),
        60_000,
      );
      expect(delayed).toBe(true);
      const pause = harness(['pause', '--target', 'name:sentinel-c']);
      const pid = readState(paths.stateFile())!.components['sentinel-c']!.pid!;
      expect(await waitFor(async () => (procState(pid) === 'T' ? true : null), 60_000)).toBe(true);
      partition.kill('SIGKILL');
      delay.kill('SIGKILL');
      pause.kill('SIGKILL');
      await new Promise((r) => setTimeout(r, 500));
      // The crash healed nothing: the rules, the helper and the stopped process are there for `down`.
      expect((await exec('ip', ['netns', 'exec', nsC, 'nft', 'list', 'tables'])).stdout).toMatch(/ws_/);
      expect(await delayRules(nsB)).toHaveLength(1);
      expect(strays('ws-netem')).toHaveLength(1);
      expect(procState(pid)).toBe('T');
      // The check after `down` sees the live services (it would see any left over).
      expect(strays('service')).toHaveLength(topology.components.filter((c) => c.kind === 'service').length);
    },
  );

  it('down removes every process, namespace, link, rule and data directory, within 10 s', async () => {
    const started = Date.now();
    const r = await runCli(['down', '--json']);
    expect(r.code).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000 + 3_000); // CLI start-up on top
    expect(JSON.parse(r.stdout).removed.length).toBeGreaterThan(10);

    const ns = await exec('ip', ['netns', 'list']);
    expect(ns.stdout.split('\n').filter((l) => l.startsWith('ws-'))).toEqual([]);
    const links = await exec('ip', ['-o', 'link', 'show']);
    expect(links.stdout.split('\n').filter((l) => / ws-/.test(l))).toEqual([]);
    const nft = await exec('nft', ['list', 'ruleset']);
    expect(nft.stdout).not.toMatch(/ws_/);
    expect(await delayRules()).toEqual([]);
    const qdiscs = await exec('tc', ['qdisc', 'show']);
    expect(qdiscs.stdout).not.toMatch(/ws-/);
    expect(strayProcesses()).toEqual([]);
    expect(existsSync(paths.dataRoot())).toBe(false);
    expect(existsSync(paths.stateFile())).toBe(false);
    if (topology.network === 'netns') {
      const route = await exec('ip', [
        'route',
        'show',
        `${topology.bridge!.address}/${topology.bridge!.prefix}`,
      ]);
      expect(route.stdout.trim()).toBe('');
    }
  });

  it('down with nothing up says so and exits 0 (idempotent)', async () => {
    const r = await runCli(['down']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/nothing to do/);
  });

  it('up with the edge port taken names the port, its owner and the fix, exit 254, and starts nothing', async () => {
    const server: Server = createServer();
    await new Promise<void>((res) => server.listen(topology.edge.port, topology.edge.host, res));
    try {
      const r = await runCli(['up', '--no-services']);
      expect(r.code).toBe(254);
      expect(r.stderr).toContain(`${topology.edge.host}:${topology.edge.port}`);
      expect(r.stderr).toMatch(/port-taken/);
      expect(r.stderr).toMatch(/fix:/);
      expect(existsSync(paths.stateFile())).toBe(false);
      const ns = await exec('ip', ['netns', 'list']);
      expect(ns.stdout).not.toMatch(/ws-/);
    } finally {
      server.close();
    }
  });

  it('status and logs with nothing up give a clear error and exit 254', async () => {
    const s = await runCli(['status']);
    expect(s.code).toBe(254);
    expect(s.stderr).toMatch(/windshear up/);
    const l = await runCli(['logs', 'no-such-component']);
    expect(l.code).toBe(254);
    expect(l.stderr).toMatch(/pick one of|windshear up/);
  });
});
