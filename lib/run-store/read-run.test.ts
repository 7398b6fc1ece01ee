import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { plan } from '../../reports/checks/test-run.ts';
import { WindshearError } from '../errors.ts';
import type { HistoryEvent, RunPlan } from '../run-format.ts';
import { openJsonl } from './jsonl-sink.ts';
import { byTime, readResults, readRun } from './read-run.ts';
import { RUN_FILES, runFilePath } from './run-files.ts';
import { looseOf } from './run-schemas.ts';
import { writeRunJson, writeRunJsonl } from './write-run-file.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ws-run-store-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const wall = '2026-01-01T00:00:00.000Z';

describe('readRun', () => {
  it('reads what the writers wrote; a file not recorded is null, with no warning', async () => {
    await writeRunJson(dir, RUN_FILES.plan, plan({ scenario: 'broker-loss' }));
    const history = openJsonl(dir, RUN_FILES.history, { sync: true });
    history.append({ kind: 'phase', t: 2000, wall, phase: 'fault' });
    history.append({ kind: 'phase', t: 0, wall, phase: 'baseline' });
    await history.close();
    const run = await readRun(dir);
    expect(run.plan?.scenario).toBe('broker-loss');
    // File order here; checkers get it by time.
    expect(run.history?.map((e) => e.t)).toEqual([2000, 0]);
    expect(byTime(run.history)?.map((e) => e.t)).toEqual([0, 2000]);
    for (const absent of [
      run.metrics,
      run.ledger,
      run.readback,
      run.generator,
      run.environment,
      run.scenario,
    ])
      expect(absent).toBeNull();
    expect(run.requests).toBeNull();
    expect(run.lbTransitions).toBeNull();
    expect(run.present).toEqual([RUN_FILES.plan, RUN_FILES.history]);
    expect(run.warnings).toEqual([]);
  });

  it("reads HAProxy's health changes from the copied log, on the run's clock", async () => {
    const history = openJsonl(dir, RUN_FILES.history, { sync: true });
    history.append({ kind: 'phase', t: 1000, wall: '2026-01-01T00:00:01.000Z', phase: 'baseline' });
    await history.close();
    await mkdir(join(dir, RUN_FILES.logs));
    await writeFile(
      runFilePath(dir, 'haproxyLog'),
      '[WARNING]  (7) : Server search-api/search-api-a1 is UP\n' +
        '<133>1 2026-01-01T00:00:12.345678+00:00 - haproxy 7 - - Server search-api/search-api-a1 is UP, reason: Layer7 check passed\n',
    );
    const run = await readRun(dir);
    expect(run.lbTransitions).toEqual([
      {
        t: 12345.678,
        wall: '2026-01-01T00:00:12.345678+00:00',
        backend: 'search-api',
        server: 'search-api-a1',
        status: 'UP',
      },
    ]);
  });

  it('skips invalid lines and invalid files with a warning, never throws for content', async () => {
    await writeFile(runFilePath(dir, 'plan'), '{"scenario": 1}');
    await writeFile(runFilePath(dir, 'readback'), 'not json');
    await writeRunJsonl(dir, RUN_FILES.metrics, []);
    await writeFile(
      runFilePath(dir, 'history'),
      `${JSON.stringify({ kind: 'phase', t: 0, wall, phase: 'baseline' })}\n{"kind":"note"}\n{"t":1,`,
    );
    const run = await readRun(dir);
    expect(run.plan).toBeNull();
    expect(run.readback).toBeNull();
    expect(run.metrics).toEqual([]);
    expect(run.history).toHaveLength(1);
    expect(run.warnings).toEqual([
      'history.jsonl: skipped 2 unparsable line(s), first at line 2',
      expect.stringMatching(/^readback\.json: /),
      expect.stringMatching(/^plan\.json: scenario: /),
    ]);
  });

  it('reads the request records of a run recorded with k6 raw points (k6-points.jsonl.gz)', async () => {
    await cp(
      join(import.meta.dirname, '..', '..', 'loadgen', 'fixtures', 'degraded', RUN_FILES.k6Points),
      runFilePath(dir, 'k6Points'),
    );
    // Time zero 10 s before k6's first point.
    const t0 = Date.parse('2026-11-21T05:55:36.539Z') - 10_000;
    const start: HistoryEvent = { kind: 'phase', t: 0, wall: new Date(t0).toISOString(), phase: 'baseline' };
    await writeRunJsonl(dir, RUN_FILES.history, [start]);
    const run = await readRun(dir, { requests: true });
    expect(run.requests?.length).toBe(123);
    expect(run.requests?.[0]?.issuedMs).toBeGreaterThan(9900);
    expect(run.present).toContain(RUN_FILES.k6Points);
  });

  it('a path that is not a directory is bad input', async () => {
    await expect(readRun(join(dir, 'nope'))).rejects.toBeInstanceOf(WindshearError);
  });
});

describe('readResults', () => {
  it('missing and invalid results.json are bad input with the next step', async () => {
    await expect(readResults(dir)).rejects.toMatchObject({ problems: [{ code: 'run-results-missing' }] });
    await writeFile(runFilePath(dir, 'results'), '{"formatVersion": 1}');
    await expect(readResults(dir)).rejects.toMatchObject({ problems: [{ code: 'run-results-invalid' }] });
  });
});

describe('writers', () => {
  it('JSON files are pretty-printed with a final newline, as every stored run so far', async () => {
    const p: RunPlan = plan();
    const path = await writeRunJson(dir, RUN_FILES.plan, p);
    expect(await readFile(path, 'utf8')).toBe(`${JSON.stringify(p, null, 2)}\n`);
  });

  it('a streamed JSONL file holds every appended line once closed; later appends are dropped', async () => {
    const sink = openJsonl(dir, RUN_FILES.ledger);
    sink.append({ id: 'a', kind: 'reservation', type: 'invoke', t: 1, wall, key: 'k' });
    await sink.close();
    sink.append({ id: 'b', kind: 'reservation', type: 'ok', t: 2, wall, key: 'k' });
    const run = await readRun(dir);
    expect(run.ledger?.map((o) => o.id)).toEqual(['a']);
  });
});

describe('schemas follow lib/run-format.ts', () => {
  it('a checked field must be a field of the type, with its type (the compiler refuses others)', () => {
    // @ts-expect-error durationSec is a number in RunPlan
    const wrongType = looseOf<RunPlan>()({ durationSec: z.string() });
    // @ts-expect-error RunPlan has no field `bogus`
    const notAField = looseOf<RunPlan>()({ bogus: z.number() });
    expect(wrongType.safeParse({ durationSec: 'x' }).success).toBe(true);
    expect(notAField).toBeDefined();
  });
});
