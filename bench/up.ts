/**
 * `npm run bench:up`: cold and warm time-to-ready of the local stack, `down` time, and the
 * resident memory of every component. Targets (issue 2, 2-core machine): warm up <= 60 s,
 * down <= 10 s, profile ci <= 6 GiB resident in total. Cold = page cache dropped first (root).
 */
import { writeFileSync } from 'node:fs';
import { localPlatform } from '../chaos/platforms/local/local-platform.ts';
import { groupRssBytes } from '../chaos/platforms/local/processes.ts';
import { readState } from '../chaos/platforms/local/state-file.ts';
import { exec, isRoot } from '../lib/exec.ts';
import { paths } from '../lib/paths.ts';
import type { Profile } from '../system/topology.ts';

const profile = (process.argv.find((a) => a.startsWith('--profile='))?.split('=')[1] ?? 'ci') as Profile;
const GiB = 1024 ** 3;
const platform = localPlatform();

if (platform.current()) {
  console.error('a stack is up: run `windshear down` first (the bench measures its own ups)');
  process.exit(254);
}

async function timedUp(): Promise<number> {
  const r = await platform.up({ profile });
  return r.readyMs;
}

async function timedDown(): Promise<number> {
  const t = Date.now();
  await platform.down();
  return Date.now() - t;
}

function rssByComponent(): { name: string; kind: string; rssMiB: number }[] {
  const state = readState(paths.stateFile());
  if (!state) return [];
  return state.topology.components.map((c) => {
    const pid = state.components[c.name]?.pid;
    return { name: c.name, kind: c.kind, rssMiB: pid ? groupRssBytes(pid) / 2 ** 20 : 0 };
  });
}

let coldNote = 'page cache not dropped (not root)';
if (isRoot()) {
  await exec('sync', []);
  const r = await exec('sh', ['-c', 'echo 3 > /proc/sys/vm/drop_caches']);
  coldNote =
    r.exitCode === 0 ? 'page cache dropped before up' : `could not drop the page cache: ${r.stderr.trim()}`;
}
console.log(`bench:up profile ${profile} — cold run (${coldNote})`);
const coldMs = await timedUp();
// Let JIT warm-up and catalogue loading settle before reading memory.
await new Promise((r) => setTimeout(r, 10_000));
const rss = rssByComponent();
const coldDownMs = await timedDown();
console.log('warm run');
const warmMs = await timedUp();
const warmDownMs = await timedDown();

const total = rss.reduce((s, c) => s + c.rssMiB, 0);
const byKind = new Map<string, number>();
for (const c of rss) byKind.set(c.kind, (byKind.get(c.kind) ?? 0) + c.rssMiB);
console.log('\ncomponent                 rss MiB');
for (const c of rss) console.log(`${c.name.padEnd(24)} ${c.rssMiB.toFixed(0).padStart(8)}`);
console.log('\nby kind');
for (const [k, v] of byKind) console.log(`${k.padEnd(24)} ${v.toFixed(0).padStart(8)}`);
const verdict = (ok: boolean) => (ok ? 'within target' : 'OVER TARGET');
console.log(`
cold up to ready   ${(coldMs / 1000).toFixed(1)} s
warm up to ready   ${(warmMs / 1000).toFixed(1)} s   (target <= 60 s: ${verdict(warmMs <= 60_000)})
down               ${(coldDownMs / 1000).toFixed(1)} s, ${(warmDownMs / 1000).toFixed(1)} s   (target <= 10 s: ${verdict(Math.max(coldDownMs, warmDownMs) <= 10_000)})
resident total     ${(total / 1024).toFixed(2)} GiB   (target <= 6 GiB: ${verdict(total * 2 ** 20 <= 6 * GiB)})`);
writeFileSync(
  'test-artifacts/bench-up.json',
  `${JSON.stringify({ profile, coldMs, warmMs, downMs: [coldDownMs, warmDownMs], rss, totalMiB: total }, null, 2)}\n`,
);
