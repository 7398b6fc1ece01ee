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
}

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
      return { sec, cores: byComponent.reduce((s, c) => s + c.cores, 0), byKind, byComponent };
    },
  };
}

/** What the stack burns with no load over `sec` seconds (issue 13: idle stack <= 0.15 cores). */
export async function measureIdleCpu(sec: number): Promise<IdleCpu> {
  const w = cpuWindow();
  await sleep(sec * 1000);
  return w.end();
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
  console.log(`idle stack over ${r.sec} s: ${r.cores.toFixed(3)} cores (target <= 0.15)`);
  for (const [k, v] of Object.entries(r.byKind).sort((a, b) => b[1] - a[1]))
    console.log(`  ${k.padEnd(12)} ${v.toFixed(3)}`);
  for (const c of r.byComponent.sort((a, b) => b.cores - a.cores).slice(0, 12))
    console.log(`    ${c.name.padEnd(20)} ${c.cores.toFixed(3)}`);
}
