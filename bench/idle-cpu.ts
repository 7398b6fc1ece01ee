/**
 * `node --import tsx bench/idle-cpu.ts [--sec 60]` (issue 13): CPU the running stack burns with
 * no load. For every component of `windshear up`'s state, sums utime+stime (from /proc) of every
 * process of its process group at the start and the end of the window, and prints cores used per
 * component and per kind (services by service name). Start it with the stack idle (no load, feed
 * rate 0). Writes test-artifacts/bench-idle-cpu.json.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readState } from '../chaos/platforms/local/state-file.ts';
import { paths, REPO_ROOT } from '../lib/paths.ts';

const i = process.argv.indexOf('--sec');
const SEC = i >= 0 ? Number(process.argv[i + 1]) : 60;
/** USER_HZ: clock ticks per second of /proc/<pid>/stat's utime and stime (100 on Linux). */
const TICKS_PER_SEC = 100;

/** utime+stime in ticks of every live process, by process group. */
export function ticksByGroup(): Map<number, Map<number, number>> {
  const out = new Map<number, Map<number, number>>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // fields after the name: state(0) ppid(1) pgrp(2) ... utime(11) stime(12)
      const pgid = Number(f[2]);
      const ticks = Number(f[11]) + Number(f[12]);
      const group = out.get(pgid) ?? new Map<number, number>();
      group.set(Number(e), ticks);
      out.set(pgid, group);
    } catch {
      // raced with exit
    }
  }
  return out;
}

const state = readState(paths.stateFile());
if (!state || state.phase !== 'up') {
  console.error('bench/idle-cpu needs the stack up: run `windshear up` first');
  process.exit(254);
}
const components = Object.entries(state.components)
  .filter(([, c]) => c.pid !== null)
  .map(([name, c]) => {
    const spec = state.topology.components.find((s) => s.name === name);
    const kind = spec?.kind === 'service' ? (spec.service ?? 'service') : (spec?.kind ?? name);
    return { name, kind, pgid: c.pid as number };
  });

const before = ticksByGroup();
const t0 = performance.now();
await new Promise((r) => setTimeout(r, SEC * 1000));
const after = ticksByGroup();
const elapsedSec = (performance.now() - t0) / 1000;

const perComponent = components.map((c) => {
  const b = before.get(c.pgid) ?? new Map<number, number>();
  const a = after.get(c.pgid) ?? new Map<number, number>();
  let ticks = 0;
  // Processes alive at both ends; one that started in between counts from zero.
  for (const [pid, t] of a) ticks += t - (b.get(pid) ?? 0);
  return { ...c, cores: ticks / TICKS_PER_SEC / elapsedSec };
});
const perKind = new Map<string, { instances: number; cores: number }>();
for (const c of perComponent) {
  const k = perKind.get(c.kind) ?? { instances: 0, cores: 0 };
  k.instances++;
  k.cores += c.cores;
  perKind.set(c.kind, k);
}
const total = perComponent.reduce((s, c) => s + c.cores, 0);
const result = {
  windowSec: Math.round(elapsedSec),
  totalCores: Number(total.toFixed(3)),
  perKind: Object.fromEntries(
    [...perKind]
      .sort((x, y) => y[1].cores - x[1].cores)
      .map(([k, v]) => [k, { instances: v.instances, cores: Number(v.cores.toFixed(3)) }]),
  ),
  perComponent: perComponent
    .sort((x, y) => y.cores - x.cores)
    .map((c) => ({ name: c.name, kind: c.kind, cores: Number(c.cores.toFixed(3)) })),
};
console.log(JSON.stringify(result, null, 2));
await mkdir(join(REPO_ROOT, 'test-artifacts'), { recursive: true });
await writeFile(
  join(REPO_ROOT, 'test-artifacts', 'bench-idle-cpu.json'),
  `${JSON.stringify(result, null, 2)}\n`,
);
