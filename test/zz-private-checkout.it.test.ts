import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ComponentStatus } from '../chaos/platforms/platform.ts';
import { platformFor } from '../chaos/platforms/platform-for.ts';
import { exec, isRoot } from '../lib/exec.ts';
import { REPO_ROOT, SYSTEM_STATE_BASE } from '../lib/paths.ts';
import { runCli } from './run-cli.ts';

// Runs after zz-lifecycle (test/sequencer.ts): it needs the machine's one stack slot for a stack
// of its own, brought up from a copy of this checkout under a directory only root can enter
// (mode 0700, as `mktemp -d` makes them and as root's home is on Debian).
const { startedByTests } = inject('stack');

let parent = '';
let clone = '';

/** Runs the copy's own CLI from the copy, as a user there would (WINDSHEAR_STATE unset unless given). */
function cli(
  args: string[],
  env: Record<string, string | undefined> = {},
  timeoutMs = 120_000,
): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  return runCli(args, { root: clone, env: { WINDSHEAR_STATE: undefined, ...env }, timeoutMs });
}

const wsNamespaces = async () =>
  (await exec('ip', ['netns', 'list'])).stdout.split('\n').filter((l) => l.startsWith('ws-'));

describe.skipIf(!isRoot())('a checkout under a directory only root can enter, as root', () => {
  beforeAll(async () => {
    // The shared stack is down by now (zz-lifecycle); when this file runs alone, take it down.
    if (startedByTests) await (await platformFor('local')).down();
    parent = mkdtempSync(join(tmpdir(), 'ws-private-'));
    clone = join(parent, 'windshear');
    // The working tree as it is (tracked and new files, not ignored ones), not the last commit.
    const files = (
      await exec('git', ['-C', REPO_ROOT, 'ls-files', '-z', '--cached', '--others', '--exclude-standard'])
    ).stdout
      .split('\0')
      .filter((f) => f && existsSync(join(REPO_ROOT, f)));
    for (const f of files) {
      mkdirSync(dirname(join(clone, f)), { recursive: true });
      cpSync(join(REPO_ROOT, f), join(clone, f));
    }
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(clone, 'node_modules'));
  });

  afterAll(async () => {
    if (!clone) return;
    // Whatever happened, leave no stack behind; keep the state (logs) only when something failed.
    await cli(['down', '--force']);
    rmSync(parent, { recursive: true, force: true });
  });

  it('the parent really is 0700 and postgres cannot enter it', async () => {
    expect(statSync(parent).mode & 0o777).toBe(0o700);
    const r = await exec('setpriv', [
      '--reuid=postgres',
      '--regid=postgres',
      '--init-groups',
      'test',
      '-x',
      parent,
    ]);
    expect(r.exitCode).toBe(1);
  });

  it('with WINDSHEAR_STATE under that directory, doctor and up name the directory, the user, the permission and the fix; up starts nothing', async () => {
    const state = join(parent, 'state');
    const doctor = await cli(['doctor', '--json'], { WINDSHEAR_STATE: state });
    expect(doctor.code, doctor.stderr).toBe(255);
    const d = JSON.parse(doctor.stdout) as {
      stateDir: string;
      problems: { code: string; message: string; fix: string }[];
    };
    expect(d.stateDir).toBe(state);
    expect(d.problems).toEqual([
      {
        code: 'dir-not-traversable',
        message: expect.stringContaining(`user postgres cannot enter ${parent} (mode 0700 root:root;`),
        fix: expect.stringContaining(`\`chmod o+x ${parent}\``),
      },
    ]);

    const up = await cli(['up', '--profile', 'ci'], { WINDSHEAR_STATE: state });
    expect(up.code, up.stderr).toBe(254);
    expect(up.stderr).toContain(`error[dir-not-traversable] user postgres cannot enter ${parent} (mode 0700`);
    expect(up.stderr).toContain('it needs the x permission on every directory above');
    expect(up.stderr).toMatch(/fix: `chmod o\+x .*unset WINDSHEAR_STATE/);
    expect(up.ms).toBeLessThan(30_000);
    expect(existsSync(join(state, 'state.json'))).toBe(false);
    expect(await wsNamespaces()).toEqual([]);
  });

  it('without WINDSHEAR_STATE the stack comes up with its state in /var/lib/windshear, and down cleans it', async () => {
    const doctor = await cli(['doctor', '--json']);
    const d = JSON.parse(doctor.stdout) as { stateDir: string; stateDirSource: string; problems: unknown[] };
    expect(doctor.code, JSON.stringify(d.problems)).toBe(0);
    expect(d.stateDirSource).toBe('system');
    expect(d.stateDir).toMatch(new RegExp(`^${SYSTEM_STATE_BASE}/windshear-[0-9a-f]{8}$`));

    const up = await cli(['up', '--profile', 'ci', '--json'], {}, 600_000);
    expect(up.code, `${up.stderr}\n${up.stdout.slice(-2000)}`).toBe(0);
    console.log(`[private-checkout] up in ${(up.ms / 1000).toFixed(1)} s`);
    const status = await cli(['status', '--json']);
    expect(status.code, status.stderr).toBe(0);
    const rows = (JSON.parse(status.stdout) as { components: ComponentStatus[] }).components;
    expect(rows.filter((r) => r.health !== 'healthy').map((r) => `${r.name} ${r.health}`)).toEqual([]);
    const pg = rows
      .filter((r) => r.kind === 'postgres')
      .map((r) => r.role)
      .sort();
    expect(pg).toEqual(['primary', 'replica']);
    // PostgreSQL runs as postgres from the state root outside the 0700 directory.
    const monitor = rows.find((r) => r.kind === 'pg-monitor')!;
    const uid = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${monitor.pid}/status`, 'utf8'))?.[1];
    expect(uid).toBe((await exec('id', ['-u', 'postgres'])).stdout.trim());
    expect(existsSync(join(d.stateDir, 'data', 'pg-monitor', 'pgdata', 'PG_VERSION'))).toBe(true);

    // From this checkout, which has no stack of its own now: doctor names the copy's stack and
    // its checkout instead of calling its namespaces leftovers, and down leaves it alone.
    const here = await runCli(['doctor', '--json']);
    const problems = (JSON.parse(here.stdout) as { problems: { code: string; message: string }[] }).problems;
    expect(problems.map((p) => p.code)).toContain('stack-of-another-checkout');
    expect(problems.find((p) => p.code === 'stack-of-another-checkout')?.message).toContain(clone);
    expect(problems.map((p) => p.code)).not.toContain('leftover-network');
    const hereDown = await runCli(['down']);
    expect(hereDown.code, hereDown.stderr).toBe(0);
    expect(`${hereDown.stdout}${hereDown.stderr}`).toContain(`left alone: the stack of ${clone}`);
    const still = await cli(['status', '--json']);
    const stillRows = (JSON.parse(still.stdout) as { components: ComponentStatus[] }).components;
    expect(stillRows.filter((r) => r.health !== 'healthy').map((r) => `${r.name} ${r.health}`)).toEqual([]);

    const down = await cli(['down', '--json']);
    expect(down.code, down.stderr).toBe(0);
    expect(existsSync(join(d.stateDir, 'data'))).toBe(false);
    expect(existsSync(join(d.stateDir, 'state.json'))).toBe(false);
    expect(await wsNamespaces()).toEqual([]);
    rmSync(d.stateDir, { recursive: true, force: true });
  });
});
