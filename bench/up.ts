/**
 * `npm run bench:up [-- --platform compose] [--profile=ci] [--cold-images]`: cold and warm
 * time-to-ready of the stack, `down` time, and the resident memory of every component. Targets
 * (2-core machine): local (issue 2) warm up <= 60 s, down <= 10 s, ci <= 6 GiB resident;
 * compose (issue 14) warm up <= 90 s, ci <= 7 GiB. Cold = page cache dropped first (root); on
 * compose `--cold-images` also removes the project's images (not the base) and times their build.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { familyPssBytes, procRows } from '../chaos/platforms/local/processes.ts';
import { readState } from '../chaos/platforms/local/state-file.ts';
import { platformFor } from '../chaos/platforms/platform-for.ts';
import { exec, isRoot } from '../lib/exec.ts';
import { paths } from '../lib/paths.ts';
import type { Profile } from '../system/topology.ts';

const { values } = parseArgs({
  options: {
    platform: { type: 'string', default: process.env.WINDSHEAR_PLATFORM || 'local' },
    profile: { type: 'string', default: 'ci' },
    'cold-images': { type: 'boolean', default: false },
  },
});
const profile = values.profile as Profile;
const GiB = 1024 ** 3;
const platform = await platformFor(values.platform);
const compose = platform.name === 'compose';
const target = compose ? { upMs: 90_000, totalGiB: 7 } : { upMs: 60_000, totalGiB: 6 };

if (platform.current()) {
  console.error(
    `a stack is up: run \`windshear down --platform ${platform.name}\` first (the bench measures its own ups)`,
  );
  process.exit(254);
}

let imagesMs: number | null = null;
if (compose && values['cold-images']) {
  const { IMAGE_KINDS, imageRepository } = await import('../chaos/platforms/compose/image-plan.ts');
  const { buildImages } = await import('../chaos/platforms/compose/image-builder.ts');
  for (const kind of IMAGE_KINDS) {
    const ids = await exec('docker', ['images', '-q', imageRepository(kind)]);
    const list = [...new Set(ids.stdout.split('\n').filter(Boolean))];
    if (list.length) await exec('docker', ['rmi', '-f', ...list]);
  }
  console.log('images: removed the project images (base kept); building them cold');
  const t = Date.now();
  await buildImages({ profile, log: (l) => console.log(`  ${l}`) });
  imagesMs = Date.now() - t;
}

async function timedUp(): Promise<number> {
  const r = await platform.up({ profile, onProgress: (l) => console.log(`  ${l}`) });
  return r.readyMs;
}

async function timedDown(): Promise<number> {
  const t = Date.now();
  await platform.down();
  return Date.now() - t;
}

async function rssByComponent(): Promise<
  { name: string; kind: string; rssMiB: number; cgroupMiB?: number }[]
> {
  if (compose) {
    const { composeMemory } = await import('../chaos/platforms/compose/container-memory.ts');
    const kindOf = new Map(platform.current()?.components.map((c) => [c.name, c.kind]));
    return (await composeMemory()).map((m) => ({ ...m, kind: kindOf.get(m.name) ?? 'bootstrap' }));
  }
  const state = readState(paths.stateFile());
  if (!state) return [];
  // PSS of each component's group and descendants: PostgreSQL's server processes are groups of
  // their own under pg_autoctl, and share its buffers (RSS would count them once per backend).
  const rows = procRows();
  return state.topology.components.map((c) => {
    const pid = state.components[c.name]?.pid;
    return { name: c.name, kind: c.kind, rssMiB: pid ? familyPssBytes(pid, rows) / 2 ** 20 : 0 };
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
const rss = await rssByComponent();
const coldDownMs = await timedDown();
console.log('warm run');
const warmMs = await timedUp();
const warmDownMs = await timedDown();

const total = rss.reduce((s, c) => s + c.rssMiB, 0);
const byKind = new Map<string, number>();
for (const c of rss) byKind.set(c.kind, (byKind.get(c.kind) ?? 0) + c.rssMiB);
console.log(
  `\ncomponent   ${compose ? '              rss' : '              pss'} MiB${compose ? '  cgroup MiB' : ''}`,
);
for (const c of rss)
  console.log(
    `${c.name.padEnd(24)} ${c.rssMiB.toFixed(0).padStart(8)}${c.cgroupMiB !== undefined ? c.cgroupMiB.toFixed(0).padStart(12) : ''}`,
  );
const cgroupTotal = rss.reduce((s, c) => s + (c.cgroupMiB ?? 0), 0);
console.log('\nby kind');
for (const [k, v] of byKind) console.log(`${k.padEnd(24)} ${v.toFixed(0).padStart(8)}`);
const verdict = (ok: boolean) => (ok ? 'within target' : 'OVER TARGET');
console.log(`
platform           ${platform.name}${imagesMs !== null ? `\nimages, cold build ${(imagesMs / 1000).toFixed(1)} s` : ''}
cold up to ready   ${(coldMs / 1000).toFixed(1)} s
warm up to ready   ${(warmMs / 1000).toFixed(1)} s   (target <= ${target.upMs / 1000} s: ${verdict(warmMs <= target.upMs)})
down               ${(coldDownMs / 1000).toFixed(1)} s, ${(warmDownMs / 1000).toFixed(1)} s   (target <= 10 s: ${verdict(Math.max(coldDownMs, warmDownMs) <= 10_000)})
resident total     ${(total / 1024).toFixed(2)} GiB   (target <= ${target.totalGiB} GiB: ${verdict(total * 2 ** 20 <= target.totalGiB * GiB)})${compose ? `\ncgroup total       ${(cgroupTotal / 1024).toFixed(2)} GiB (docker stats: usage less inactive file cache)` : ''}`);
writeFileSync(
  `test-artifacts/bench-up${compose ? '-compose' : ''}.json`,
  `${JSON.stringify({ platform: platform.name, profile, imagesMs, coldMs, warmMs, downMs: [coldDownMs, warmDownMs], rss, totalMiB: total, ...(compose ? { cgroupTotalMiB: cgroupTotal } : {}) }, null, 2)}\n`,
);
