import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { describe, expect, inject, it } from 'vitest';
import { exec } from '../lib/exec.ts';
import { paths } from '../lib/paths.ts';
import { runCli } from './run-cli.ts';

const { topology } = inject('stack');

/** Live (non-zombie) processes whose command line mentions the stack's data or config. */
function strayProcesses(): string[] {
  const out: string[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
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

// Runs last (test/sequencer.ts): it takes the shared stack down.
describe('down, and bad input around up/down', () => {
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
