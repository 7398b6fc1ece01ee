import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { groupCpuSeconds, procRows } from '../chaos/platforms/local/processes.ts';
import { readState } from '../chaos/platforms/local/state-file.ts';
import { paths } from '../lib/paths.ts';

export interface IdleCpu {
  sec: number;
  /** Cores used on average by the whole stack over the window. */
  cores: number;
  byKind: Record<string, number>;
  byComponent: { name: string; kind: string; cores: number }[];
  /**
   * The whole machine over the window (/proc/stat): cores busy (every process, the load engine
   * and the kernel included) and cores stolen by the hypervisor. Busy minus the stack's `cores` is
   * what ran outside the stack, so a step that broke because something else took the CPU shows.
   */
  machine: MachineCpu;
}

export interface MachineCpu {
  busyCores: number;
  stealCores: number;
}

/** Jiffies of the `cpu` line of /proc/stat: busy (all but idle, iowait and steal) and steal. */
export function parseProcStat(text: string): { busy: number; steal: number } {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) throw new Error('no cpu line in /proc/stat');
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return { busy: user + nice + system + irq + softirq, steal };
}

/** USER_HZ of /proc/stat: 100 on every Linux this runs on. */
const JIFFIES_PER_SEC = 100;
const machineReading = () => parseProcStat(readFileSync('/proc/stat', 'utf8'));

/**
 * Starts a CPU window over every component's process group and its descendants (PostgreSQL's
 * server processes are groups of their own under pg_autoctl: before, postgres read ~0.01 cores
 * under any load); `end()` gives the cores each used on average since. A backend that exits
 * inside the window takes its CPU with it. Services are grouped by their service name
 * (search-api, stream, ...), the rest by component kind. The harness's own process and the load engine are not components, so
 * they are not counted.
 */
export function cpuWindow(): { end(): IdleCpu } {
  const state = readState(paths.stateFile());
  if (!state) throw new Error('no stack is up: run `windshear up` first');
  const groups = state.topology.components.flatMap((c) => {
    const pid = state.components[c.name]?.pid;
    return pid ? [{ name: c.name, kind: c.kind === 'service' ? (c.service ?? 'service') : c.kind, pid }] : [];
  });
  const t0 = performance.now();
  const reading = () => {
    const rows = procRows();
    return groups.map((g) => groupCpuSeconds(g.pid, rows));
  };
  const before = reading();
  const machineBefore = machineReading();
  return {
    end: () => {
      const sec = (performance.now() - t0) / 1000;
      const after = reading();
      const byComponent = groups.map((g, i) => ({
        name: g.name,
        kind: g.kind,
        cores: Math.max(0, after[i]! - before[i]!) / sec,
      }));
      const byKind: Record<string, number> = {};
      for (const c of byComponent) byKind[c.kind] = (byKind[c.kind] ?? 0) + c.cores;
      const m = machineReading();
      const machine = {
        busyCores: (m.busy - machineBefore.busy) / JIFFIES_PER_SEC / sec,
        stealCores: (m.steal - machineBefore.steal) / JIFFIES_PER_SEC / sec,
      };
      return { sec, cores: byComponent.reduce((s, c) => s + c.cores, 0), byKind, byComponent, machine };
    },
  };
}

/** What the stack burns with no load over `sec` seconds (issue 13: idle stack <= 0.15 cores). */
export async function measureIdleCpu(sec: number): Promise<IdleCpu> {
  const w = cpuWindow();
  await sleep(sec * 1000);
  return w.end();
}

/** `machine 1.93 busy, 0.52 outside the stack, 0.00 stolen`: the window's whole-machine figures. */
export function formatMachine(w: Pick<IdleCpu, 'cores' | 'machine'>): string {
  const outside = Math.max(0, w.machine.busyCores - w.cores);
  return `machine ${w.machine.busyCores.toFixed(2)} busy, ${outside.toFixed(2)} outside the stack, ${w.machine.stealCores.toFixed(2)} stolen`;
}

/** `kafka 0.91, opensearch 0.40, ...`: the kinds above 0.01 cores, most first. */
export function formatByKind(byKind: Record<string, number>): string {
  return Object.entries(byKind)
    .filter(([, v]) => v >= 0.01)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v.toFixed(2)}`)
    .join(', ');
}

// `node --import tsx bench/idle-cpu.ts [--sec 60]` (npm run bench:idle): on the running stack, print the idle cost.
if (import.meta.url === `file://${process.argv[1]}`) {
  const i = process.argv.indexOf('--sec');
  const r = await measureIdleCpu(i >= 0 ? Number(process.argv[i + 1]) : 60);
  console.log(
    `idle stack over ${r.sec} s: ${r.cores.toFixed(3)} cores (target <= 0.15); ${formatMachine(r)}`,
  );
  for (const [k, v] of Object.entries(r.byKind).sort((a, b) => b[1] - a[1]))
    console.log(`  ${k.padEnd(12)} ${v.toFixed(3)}`);
  for (const c of r.byComponent.sort((a, b) => b.cores - a.cores).slice(0, 12))
    console.log(`    ${c.name.padEnd(20)} ${c.cores.toFixed(3)}`);
}
