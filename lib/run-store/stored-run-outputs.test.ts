import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../test/run-cli.ts';
import { REPO_ROOT } from '../paths.ts';
import { RUN_FILES } from './run-files.ts';

/**
 * `windshear check <runDir>` and `windshear report <runDir>` on runs recorded before lib/run-store
 * give what the code before it gave: outputs recorded from that code are in fixtures/golden/.
 * To record them again from another checkout (e.g. the commit before a change to the store), run
 * this file with WS_RECORD_GOLDEN=<that checkout's root>; it then writes instead of comparing.
 */
/** Time of the first request in loadgen/fixtures/degraded/k6-points.jsonl.gz. */
const K6_FIRST_POINT = '2026-11-21T05:55:36.539Z';
const GOLDEN = join(import.meta.dirname, 'fixtures', 'golden');
const RECORD_FROM = process.env.WS_RECORD_GOLDEN;

/** Stored runs: a render fixture, and the same run with k6's raw points as its request records. */
const CASES: { name: string; build: (dir: string) => Promise<void> }[] = [
  {
    name: 'passing',
    build: (dir) => cp(join(REPO_ROOT, 'reports', 'render', 'fixtures', 'passing'), dir, { recursive: true }),
  },
  {
    // k6's points start 10 s after this run's time zero (at its fault), so the RTOs read them.
    name: 'k6-points',
    build: async (dir) => {
      await cp(join(REPO_ROOT, 'reports', 'render', 'fixtures', 'passing'), dir, { recursive: true });
      await cp(
        join(REPO_ROOT, 'loadgen', 'fixtures', 'degraded', RUN_FILES.k6Points),
        join(dir, RUN_FILES.k6Points),
      );
      const t0 = Date.parse(K6_FIRST_POINT) - 10_000;
      const history = (await readFile(join(dir, RUN_FILES.history), 'utf8'))
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => {
          const e = JSON.parse(l) as { t: number; wall: string };
          return JSON.stringify({ ...e, wall: new Date(t0 + e.t).toISOString() });
        });
      await writeFile(join(dir, RUN_FILES.history), `${history.join('\n')}\n`);
    },
  },
];

const work = await mkdtemp(join(tmpdir(), 'ws-golden-'));
afterAll(() => rm(work, { recursive: true, force: true }));

/** What the two commands print and write, with the run's path and judgement time made neutral. */
async function outputs(root: string, dir: string): Promise<Record<string, string>> {
  const check = await runCli(['check', dir], { root });
  const report = await runCli(['report', dir], { root });
  const read = (f: string) => readFile(join(dir, f), 'utf8');
  const results = await read(RUN_FILES.results);
  const judgedAt = (JSON.parse(results) as { judgedAt: string }).judgedAt;
  const neutral = (s: string) => s.replaceAll(dir, '<run>').replaceAll(judgedAt, '<judgedAt>');
  const html = await read(RUN_FILES.report);
  return Object.fromEntries(
    Object.entries({
      'check.txt': `exit ${check.code}\n--- stdout\n${check.stdout}--- stderr\n${check.stderr}`,
      'report.txt': `exit ${report.code}\n--- stdout\n${report.stdout}--- stderr\n${report.stderr}`,
      'results.json': results,
      // Stored as .txt: the goldens are text to compare, not files for the linter.
      'junit.xml.txt': await read(RUN_FILES.junit),
      'summary.md.txt': await read(RUN_FILES.summary),
      // The page without the bundled chart library: the sections, and the charts' data.
      'report-main.html.txt': html.slice(html.indexOf('<main'), html.indexOf('</main>')),
      'report-charts.json':
        /<script type="application\/json" id="ws-chart-specs">(.*?)<\/script>/s.exec(html)?.[1] ?? '',
    }).map(([k, v]) => [k, neutral(v)]),
  );
}

describe('runs recorded before the run store read and render as before', () => {
  for (const c of CASES) {
    it(`${c.name}: windshear check and windshear report`, { timeout: 120_000 }, async () => {
      const dir = join(work, c.name);
      await c.build(dir);
      const got = await outputs(RECORD_FROM ?? REPO_ROOT, dir);
      const golden = join(GOLDEN, c.name);
      if (RECORD_FROM) {
        await mkdir(golden, { recursive: true });
        for (const [f, text] of Object.entries(got)) await writeFile(join(golden, f), text);
        return;
      }
      for (const [f, text] of Object.entries(got))
        expect(text, f).toBe(await readFile(join(golden, f), 'utf8'));
    });
  }
});
