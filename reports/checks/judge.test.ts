import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SloRow } from '../../lib/slo.ts';
import { CHECKERS, judge, judgeRunDir } from './judge.ts';
import { phases, plan, row, runData, secs, win } from './test-run.ts';

const history = phases([['baseline', 0]], 10);
const metrics = secs(0, 10, (s) => win(s, 100, 1, { intendedRate: 100 }));
const errOk = row({ metric: 'error-rate', id: 'err.ok', objective: { op: '<=', value: 5 }, unit: '%' });
const errBad = row({ metric: 'error-rate', id: 'err.bad', objective: { op: '<', value: 0.5 }, unit: '%' });
const noLedger = row({
  metric: 'rpo-lost-writes',
  id: 'rpo',
  objective: { op: '<=', value: 0 },
  unit: 'count',
});

describe('judge', () => {
  it('has a checker for every metric', () => {
    expect(Object.keys(CHECKERS)).toHaveLength(20);
  });

  it('overall: pass only when every row passes', () => {
    expect(judge(runData({ history, metrics }), [errOk], { now: 'T' }).verdict).toBe('pass');
  });

  it('overall: any fail wins over unknown', () => {
    const res = judge(runData({ history, metrics }), [errOk, errBad, noLedger], { now: 'T' });
    expect(res.slos.map((s) => s.verdict)).toEqual(['pass', 'fail', 'unknown']);
    expect(res.verdict).toBe('fail');
  });

  it('overall: unknown when a row is unknown, no rows were given, or the run did not complete', () => {
    expect(judge(runData({ history, metrics }), [errOk, noLedger], { now: 'T' }).verdict).toBe('unknown');
    expect(judge(runData({ history, metrics }), [], { now: 'T' }).verdict).toBe('unknown');
    const aborted = history.map((e) => (e.kind === 'run-end' ? { ...e, status: 'aborted' as const } : e));
    const res = judge(runData({ history: aborted, metrics }), [errOk], { now: 'T' });
    expect(res.verdict).toBe('unknown');
    expect(res.slos.find((s) => s.id === 'windshear.run-complete')?.detail).toContain('aborted');
  });

  it('a checker that throws yields unknown with the reason', () => {
    const bad = row({ metric: 'latency', id: 'lat', unit: 'furlongs', objective: { op: '<', value: 1 } });
    const v = judge(runData({ history, metrics }), [bad], { now: 'T' }).slos[0];
    expect(v?.verdict).toBe('unknown');
    expect(v?.detail).toMatch(/^checker failed: unit "furlongs"/);
    const unknownMetric = { ...errOk, metric: 'nonsense' } as unknown as SloRow;
    expect(judge(runData({ history, metrics }), [unknownMetric], { now: 'T' }).slos[0]?.detail).toContain(
      'no checker',
    );
  });

  it('scale defaults to the plan and only touches scaled rows', () => {
    const tp = row({
      metric: 'throughput',
      id: 'tp',
      objective: { op: '>=', value: 1000 },
      unit: 'req/s',
      scaled: true,
    });
    const res = judge(runData({ history, metrics, plan: plan({ scale: 0.1 }) }), [tp, errOk], { now: 'T' });
    expect(res.slos[0]).toMatchObject({ verdict: 'pass', objective: { value: 100 }, margin: 0 });
    expect(res.slos[1]?.objective.value).toBe(5);
  });

  it('judgeRunDir writes results.json', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ws-judge-'));
    try {
      await writeFile(join(dir, 'plan.json'), JSON.stringify(plan()));
      await writeFile(join(dir, 'history.jsonl'), history.map((e) => JSON.stringify(e)).join('\n'));
      await writeFile(join(dir, 'metrics.jsonl'), metrics.map((e) => JSON.stringify(e)).join('\n'));
      const res = await judgeRunDir(dir, [errOk], { sloTables: ['scenarios/slo/x.yaml'] });
      expect(res.verdict).toBe('pass');
      const stored = JSON.parse(await readFile(join(dir, 'results.json'), 'utf8'));
      expect(stored).toMatchObject({
        formatVersion: 1,
        verdict: 'pass',
        sloTables: ['scenarios/slo/x.yaml'],
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
