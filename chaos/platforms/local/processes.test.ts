import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import {
  familyOf,
  familyPssBytes,
  groupCpuSeconds,
  pidRssBytes,
  procRows,
  pssBytesOf,
  signalGroup,
} from './processes.ts';

describe('groupCpuSeconds', () => {
  it('reads the CPU time a process group has spent from /proc', async () => {
    // A group of its own that spends 0.5 s of CPU (whatever else the machine runs), then idles.
    const spin =
      'const u = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1e3; };' +
      'while (u() < 500); setTimeout(() => {}, 20_000);';
    const child = spawn(process.execPath, ['-e', spin], { detached: true, stdio: 'ignore' });
    try {
      let spent = 0;
      for (let i = 0; i < 100 && spent < 0.45; i++) {
        await sleep(100);
        spent = groupCpuSeconds(child.pid!);
      }
      // The 10 ms ticks of /proc round 0.5 s down to 0.49. Done spinning: it now idles, so a second reading adds next to nothing.
      await sleep(300);
      const later = groupCpuSeconds(child.pid!);
      expect(spent).toBeGreaterThanOrEqual(0.45);
      expect(spent).toBeLessThan(1.5);
      expect(later - spent).toBeLessThan(0.1);
    } finally {
      signalGroup(child.pid!, 'SIGKILL');
    }
  });

  it('reads 0 for a group with no live member', () => {
    expect(groupCpuSeconds(2 ** 22 - 1)).toBe(0);
  });
});

describe('familyOf', () => {
  it('takes the group and every descendant of its members, even in groups of their own', () => {
    // pg_autoctl (group 10) starts postgres (its own group), whose server processes are each a group.
    const procs = [
      { pid: 10, ppid: 1, pgid: 10 },
      { pid: 11, ppid: 10, pgid: 10 },
      { pid: 20, ppid: 11, pgid: 20 },
      { pid: 21, ppid: 20, pgid: 21 },
      { pid: 22, ppid: 20, pgid: 22 },
      { pid: 30, ppid: 1, pgid: 30 },
      { pid: 31, ppid: 30, pgid: 30 },
    ];
    expect(familyOf(10, procs).sort((a, b) => a - b)).toEqual([10, 11, 20, 21, 22]);
    expect(familyOf(30, procs).sort((a, b) => a - b)).toEqual([30, 31]);
    expect(familyOf(99, procs)).toEqual([]);
  });
});

describe('familyPssBytes', () => {
  it('reads the Pss line of smaps_rollup, in bytes', () => {
    const rollup =
      '55d0-7ffe ---p 00000000 00:00 0  [rollup]\nRss:   1696 kB\nPss:    333 kB\nPss_Dirty:  112 kB\n';
    expect(pssBytesOf(rollup)).toBe(333 * 1024);
    expect(pssBytesOf('Rss: 10 kB\n')).toBeNull();
  });

  it('counts a real group and its child, each no more than its RSS', async () => {
    // A group of its own whose member starts a child in a group of its own (as pg_autoctl starts
    // postgres) that holds 64 MiB of its own pages.
    const hold = 'const b = Buffer.alloc(64 * 2 ** 20, 1); setTimeout(() => b.length, 20_000);';
    const parent = `require('node:child_process').spawn(process.execPath, ['-e', ${JSON.stringify(hold)}], { stdio: 'ignore', detached: true }); setTimeout(() => {}, 20_000);`;
    const child = spawn(process.execPath, ['-e', parent], { detached: true, stdio: 'ignore' });
    try {
      let pss = 0;
      for (let i = 0; i < 100 && pss < 64 * 2 ** 20; i++) {
        await sleep(100);
        pss = familyPssBytes(child.pid!);
      }
      expect(pss).toBeGreaterThanOrEqual(64 * 2 ** 20);
      const family = familyOf(child.pid!, procRows());
      expect(family).toHaveLength(2);
      expect(pss).toBeLessThanOrEqual(family.reduce((sum, pid) => sum + pidRssBytes(pid), 0));
      expect(familyPssBytes(2 ** 22 - 1)).toBe(0);
    } finally {
      for (const pid of familyOf(child.pid!, procRows())) process.kill(pid, 'SIGKILL');
    }
  });
});
