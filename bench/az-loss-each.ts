/**
 * `npm run bench:az-loss -- [--out <dir>] [--az az-a,az-b,az-c]`: the catalogue's az-loss
 * scenario once per AZ, in turn, on one stack (brought up by the first run and kept; `windshear
 * down` afterwards). Per AZ it prints the verdict, the search answers during the outage (answered
 * vs failed, from the run's own request records), whether the search cluster was green with
 * every node again (row `search.cluster-green`, when the scenario has it) and the acknowledged
 * writes lost. Issue 13: "an az-loss of each AZ in turn: search answers throughout (degraded
 * allowed, errors counted), the index cluster is green again after heal, no acknowledged write lost".
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { REPO_ROOT } from '../lib/paths.ts';
import { type RecordedRun, readResults, readRun } from '../lib/run-store/read-run.ts';
import { loadScenario } from '../scenarios/load-scenario.ts';

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: join('reports', 'runs', `az-loss-each-${Date.now()}`) },
    az: { type: 'string', default: 'az-a,az-b,az-c' },
  },
});
const out = resolve(values.out);
mkdirSync(out, { recursive: true });
// Loaded and checked as every run loads it, for the profile the runs use.
const { scenario: base } = await loadScenario('az-loss', { profile: 'ci' });

/** Search requests due while the AZ was out: answered and failed (error or no answer). */
function searchDuringFault(run: RecordedRun): { answered: number; failed: number } {
  const start = run.history?.find((e) => e.kind === 'fault-start')?.t;
  const end = run.history?.find((e) => e.kind === 'fault-stop')?.t;
  let answered = 0;
  let failed = 0;
  if (start === undefined || end === undefined) return { answered, failed };
  for (const r of run.requests ?? []) {
    if (r.tag !== 'search' || r.issuedMs < start || r.issuedMs >= end) continue;
    if (r.error) failed++;
    else answered++;
  }
  return { answered, failed };
}

const lines: string[] = [];
for (const az of values.az.split(',')) {
  const scenario = {
    ...base,
    name: `az-loss-${az}`,
    // A loaded scenario, defaults filled in, is scenario YAML again but for its faults' times:
    // the file spells atSec and forSec as at and for.
    faults: base.faults.map((f) => ({
      id: `lose-${az}`,
      at: f.atSec,
      for: f.forSec,
      fault: f.fault,
      target: `az:${az}`,
      ...(f.params ? { params: f.params } : {}),
    })),
  };
  const file = join(out, `az-loss-${az}.yaml`);
  writeFileSync(file, stringify(scenario));
  const dir = join(out, az);
  process.stderr.write(`az-loss of ${az}: ${dir}\n`);
  const r = spawnSync(
    process.execPath,
    [
      join(REPO_ROOT, 'bin', 'windshear.mjs'),
      'run-scenario',
      file,
      '--profile',
      'ci',
      '--keep',
      '--out',
      dir,
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (r.status !== 0 && r.status !== 1 && r.status !== 2) {
    lines.push(`${az}: run-scenario exited ${r.status}`);
    continue;
  }
  const res = await readResults(dir);
  const row = (id: string) => res.slos.find((x) => x.id === id);
  const green = row('search.cluster-green');
  const s = searchDuringFault(await readRun(dir, { requests: true }));
  lines.push(
    [
      `${az}: verdict ${res.verdict}`,
      `search during the outage ${s.answered} answered, ${s.failed} failed`,
      green
        ? `cluster green again ${green.verdict} (${green.measured ?? '-'} ${green.unit})`
        : 'no cluster-green row',
      `lost writes ${res.lostWrites.length}`,
      `availability ${row('availability')?.verdict ?? '-'} ${row('availability')?.measured ?? '-'} %`,
    ].join('; '),
  );
}
console.log(lines.join('\n'));
