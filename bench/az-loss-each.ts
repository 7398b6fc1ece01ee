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
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { parse, stringify } from 'yaml';
import { REPO_ROOT } from '../lib/paths.ts';

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: join('reports', 'runs', `az-loss-each-${Date.now()}`) },
    az: { type: 'string', default: 'az-a,az-b,az-c' },
  },
});
const out = resolve(values.out);
mkdirSync(out, { recursive: true });
const base = parse(readFileSync(join(REPO_ROOT, 'scenarios', 'catalog', 'az-loss.yaml'), 'utf8')) as {
  name: string;
  faults: { id: string; target: string }[];
};

interface Row {
  id: string;
  verdict: string;
  measured: number | null;
  unit: string;
}
interface Results {
  verdict: string;
  slos: Row[];
  lostWrites?: number;
}
interface RequestRecord {
  endpoint: string;
  intended_us: number;
  status: number;
}

/** Search requests intended while the AZ was out: answered (2xx) and failed (anything else, 0 = no answer). */
function searchDuringFault(dir: string): { answered: number; failed: number } {
  const history = readFileSync(join(dir, 'history.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { kind: string; wall?: string });
  const start = history.find((e) => e.kind === 'fault-start')?.wall;
  const end = history.find((e) => e.kind === 'fault-stop')?.wall;
  if (!start || !end) return { answered: 0, failed: 0 };
  const [from, to] = [Date.parse(start) * 1000, Date.parse(end) * 1000];
  let answered = 0;
  let failed = 0;
  for (const line of gunzipSync(readFileSync(join(dir, 'requests.jsonl.gz')))
    .toString('utf8')
    .split('\n')) {
    if (!line) continue;
    const r = JSON.parse(line) as RequestRecord;
    if (r.endpoint !== 'search' || r.intended_us < from || r.intended_us >= to) continue;
    if (r.status >= 200 && r.status < 300) answered++;
    else failed++;
  }
  return { answered, failed };
}

const lines: string[] = [];
for (const az of values.az.split(',')) {
  const scenario = {
    ...base,
    name: `az-loss-${az}`,
    faults: base.faults.map((f) => ({ ...f, id: `lose-${az}`, target: `az:${az}` })),
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
  const res = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Results;
  const row = (id: string) => res.slos.find((s) => s.id === id);
  const green = row('search.cluster-green');
  const s = searchDuringFault(dir);
  lines.push(
    [
      `${az}: verdict ${res.verdict}`,
      `search during the outage ${s.answered} answered, ${s.failed} failed`,
      green
        ? `cluster green again ${green.verdict} (${green.measured ?? '-'} ${green.unit})`
        : 'no cluster-green row',
      `lost writes ${res.lostWrites ?? '?'}`,
      `availability ${row('availability')?.verdict ?? '-'} ${row('availability')?.measured ?? '-'} %`,
    ].join('; '),
  );
}
console.log(lines.join('\n'));
