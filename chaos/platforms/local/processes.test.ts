import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { familyOf, groupCpuSeconds, signalGroup } from './processes.ts';

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
