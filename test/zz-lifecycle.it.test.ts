import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { procState } from '../chaos/platforms/local/processes.ts';
import { readState } from '../chaos/platforms/local/state-file.ts';
import { exec, waitFor } from '../lib/exec.ts';
import { paths, REPO_ROOT } from '../lib/paths.ts';
import { runCli } from './run-cli.ts';

const { topology } = inject('stack');

/** Live (non-zombie) processes whose command line mentions the stack's data or config. */
function strayProcesses(): string[] {
  const out: string[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      // Zombies are exited processes whose parent has not reaped them (here PID 1 never does).
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      const cmd = readFileSync(`/proc/${e}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (
        cmd.includes(paths.dataRoot()) ||
        /OpenSearchRunner|kafka\.Kafka|pg_autoctl|redis-(server|sentinel)|haproxy -db/.test(cmd)
      ) {
        out.push(`${e}: ${cmd.slice(0, 120)}`);
      }
    } catch {
      // exited
    }
  }
  return out;
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
    'a harness killed with SIGKILL mid-partition and mid-pause leaves its faults in place',
    async () => {
      const nsC = topology.azs.find((a) => a.name === 'az-c')!.namespace!;
      const partition = harness(['partition', '--target', 'az:az-c']);
      const cut = await waitFor(async () => {
        const t = await exec('ip', ['netns', 'exec', nsC, 'nft', 'list', 'tables']);
        return /ws_/.test(t.stdout) ? true : null;
      }, 60_000);
      expect(cut).toBe(true);
      const pause = harness(['pause', '--target', 'name:sentinel-c']);
      const pid = readState(paths.stateFile())!.components['sentinel-c']!.pid!;
      expect(await waitFor(async () => (procState(pid) === 'T' ? true : null), 60_000)).toBe(true);
      partition.kill('SIGKILL');
      pause.kill('SIGKILL');
      await new Promise((r) => setTimeout(r, 500));
      // The crash healed nothing: the rule and the stopped process are still there for `down`.
      expect((await exec('ip', ['netns', 'exec', nsC, 'nft', 'list', 'tables'])).stdout).toMatch(/ws_/);
      expect(procState(pid)).toBe('T');
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
    const nft = await exec('nft', ['list', 'tables']);
    expect(nft.stdout).not.toMatch(/ws_/);
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
