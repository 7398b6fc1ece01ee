import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { otherLiveStacks, otherStackProblem } from './other-stacks.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A state base with one state file per entry: its directory name, component pids, checkout. */
function base(entries: { name: string; pids: (number | null)[]; checkout?: string }[]): string {
  const b = mkdtempSync(join(tmpdir(), 'ws-other-'));
  dirs.push(b);
  for (const e of entries) {
    mkdirSync(join(b, e.name));
    const components = Object.fromEntries(e.pids.map((pid, i) => [`c${i}`, { pid, launch: {} }]));
    writeFileSync(
      join(b, e.name, 'state.json'),
      JSON.stringify({
        version: 1,
        createdAt: '2026-12-03T10:00:00.000Z',
        phase: 'up',
        ownerPid: 1,
        ...(e.checkout ? { checkout: e.checkout } : {}),
        topology: { profile: 'ci' },
        dataRoot: join(b, e.name, 'data'),
        components,
        netns: [],
        links: [],
        rules: {},
      }),
    );
  }
  mkdirSync(join(b, 'logs-only'));
  return b;
}

describe('otherLiveStacks', () => {
  it('finds the stacks of other state directories with live processes, not its own nor dead ones', () => {
    const b = base([
      { name: 'mine-1', pids: [10] },
      { name: 'other-2', pids: [20, 21, null], checkout: '/srv/other' },
      { name: 'dead-3', pids: [30] },
    ]);
    const alive = (pid: number) => pid === 10 || pid === 20 || pid === 21;
    const found = otherLiveStacks(join(b, 'mine-1'), { base: b, alive });
    expect(found).toEqual([
      {
        stateDir: join(b, 'other-2'),
        checkout: '/srv/other',
        createdAt: '2026-12-03T10:00:00.000Z',
        profile: 'ci',
        pids: [20, 21],
      },
    ]);
  });

  it('finds nothing when the state base does not exist', () => {
    expect(otherLiveStacks('/x', { base: join(tmpdir(), 'ws-no-such-base-dir') })).toEqual([]);
  });
});

describe('otherStackProblem', () => {
  it('names the owner and a fix that does not tear the other stack down from here', () => {
    const p = otherStackProblem({
      stateDir: '/var/lib/windshear/other-1234abcd',
      checkout: '/srv/other',
      createdAt: '2026-12-03T10:00:00.000Z',
      profile: 'ci',
      pids: [20, 21],
    });
    expect(p.code).toBe('stack-of-another-checkout');
    expect(p.message).toContain('/srv/other');
    expect(p.fix).toContain('cd /srv/other && npx windshear down');
  });

  it('without a recorded checkout, names the state directory', () => {
    const p = otherStackProblem({
      stateDir: '/var/lib/windshear/other-1234abcd',
      createdAt: 'x',
      profile: 'ci',
      pids: [1],
    });
    expect(p.message).toContain('/var/lib/windshear/other-1234abcd');
    expect(p.fix).toContain('/var/lib/windshear/other-1234abcd');
  });
});
