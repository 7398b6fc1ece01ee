import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXIT, WindshearError } from '../../lib/errors.ts';
import type { RunResults } from '../../lib/run-format.ts';
import { compareRuns } from './compare-runs.ts';
import { renderTrend } from './render-trend.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures');
let work: string;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'ws-trend-'));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Writes `<work>/<scenario>/<stamp>/results.json` from a fixture's results, edited. */
async function addRun(fixture: string, scenario: string, stamp: string, edit: (r: RunResults) => void) {
  const r = JSON.parse(await readFile(join(FIXTURES, fixture, 'results.json'), 'utf8')) as RunResults;
  edit(r);
  const dir = join(work, scenario, stamp);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'results.json'), JSON.stringify(r));
  return dir;
}

const setP95 = (v: number) => (r: RunResults) => {
  r.slos.find((s) => s.id === 'search.latency.p95')!.measured = v;
};

describe('renderTrend', () => {
  it('flags a p95 beyond the noise of earlier runs and writes a self-contained index', async () => {
    const p95s = [180, 184, 178, 182, 181, 260];
    for (const [i, v] of p95s.entries())
      await addRun('passing', 'broker-loss', `2025030${i + 1}T120000Z`, setP95(v));
    const { file, regressions } = await renderTrend(work);
    expect(file).toBe(join(work, 'index.html'));
    expect(regressions).toEqual([
      expect.objectContaining({
        scenario: 'broker-loss',
        run: '20250306T120000Z',
        series: 'slo:search.latency.p95',
        value: 260,
        median: 181,
        latest: true,
      }),
    ]);
    const html = await readFile(file, 'utf8');
    expect(html).toContain('✗ 1 REGRESSION(S)');
    expect(html).toMatch(/data-series="slo:search\.latency\.p95" data-state="REGRESSION"/);
    expect(html).not.toMatch(/<script[^>]*\bsrc=/i);
  });

  it('does not flag values inside the noise, nor runs judged unknown', async () => {
    for (const [i, v] of [180, 210, 160, 200, 175, 215].entries()) {
      await addRun('passing', 'broker-loss', `2025030${i + 1}T120000Z`, setP95(v));
    }
    await addRun('passing', 'broker-loss', '20250309T120000Z', (r) => {
      setP95(900)(r);
      r.verdict = 'unknown';
    });
    const { regressions } = await renderTrend(work);
    expect(regressions).toEqual([]);
  });

  it('flags lost writes, a worse RTO and a lower capacity knee', async () => {
    for (let i = 1; i <= 4; i++) {
      await addRun('lost-writes', 'unclean', `2025030${i}T00Z`, (r) => {
        r.lostWrites = i === 4 ? r.lostWrites : [];
        r.slos.find((s) => s.id === 'reservations.rpo.lost')!.measured = r.lostWrites.length;
        r.faults[0]!.rtoMs = i === 4 ? 30_000 : 4000;
      });
      await addRun('capacity', 'cap', `2025030${i}T00Z`, (r) => {
        (r.slos[0]!.evidence as { knee: number }).knee = i === 4 ? 200 : 400;
      });
    }
    const { regressions } = await renderTrend(work);
    expect(regressions.map((r) => `${r.scenario} ${r.series}`).sort()).toEqual([
      'cap knee:search.capacity',
      'unclean rpo:lost',
      'unclean rto:max',
      'unclean slo:reservations.rpo.lost',
    ]);
  });

  it('skips run folders without results and refuses a missing runs folder', async () => {
    await mkdir(join(work, 'broker-loss', 'half-written'), { recursive: true });
    await cp(join(FIXTURES, 'passing'), join(work, 'broker-loss', '20250301T120000Z'), { recursive: true });
    const { file } = await renderTrend(work);
    expect(await readFile(file, 'utf8')).toContain('broker-loss/half-written skipped');
    const err = await renderTrend(join(work, 'missing')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WindshearError);
    expect((err as WindshearError).exitCode).toBe(EXIT.badInput);
  });
});

describe('compareRuns', () => {
  it('prints both runs side by side with B − A', async () => {
    const text = await compareRuns(join(FIXTURES, 'passing'), join(FIXTURES, 'failed-slo'));
    const row = (name: string) =>
      text
        .split('\n')
        .find((l) => l.startsWith(`${name} `))
        ?.split(/\s{2,}/);
    expect(row('verdict')).toEqual(['verdict', 'PASS', 'FAIL', 'changed']);
    expect(row('search.latency.p95')).toEqual([
      'search.latency.p95',
      'PASS 182 ms',
      'FAIL 412 ms',
      '+230 ms',
    ]);
    expect(row('pg.writable')).toEqual(['pg.writable', '(no row)', 'PASS 4.5 s']);
    expect(row('RTO f1')).toEqual(['RTO f1', '3 s', '9 s', '+6 s']);
  });
});
