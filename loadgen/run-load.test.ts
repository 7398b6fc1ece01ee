import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { LATE_LAG_US } from './fold-records.ts';
import { judgeValidity, MAX_LATE_FRACTION, MAX_UNSENT_FRACTION } from './run-load.ts';

const ok = { aborted: false, intended: 10_000, achieved: 10_000, unsent: 0, late: 0 };

describe('the generator self-check', () => {
  it('a run that kept the schedule is valid', () => {
    expect(judgeValidity(ok)).toEqual({ valid: true });
    expect(judgeValidity({ ...ok, late: 100, unsent: 10 })).toEqual({ valid: true });
  });

  it('names every reason the measurement cannot be trusted', () => {
    const r = judgeValidity({
      aborted: true,
      exitProblem: 'ws-load exited with code 1',
      intended: 10_000,
      achieved: 9000,
      unsent: 11,
      late: 101,
      lagP99Ms: 42,
    });
    expect(r.valid).toBe(false);
    for (const part of [
      'aborted',
      'ws-load exited with code 1',
      'did not send 11 of 10000',
      'sent 101 requests more than 100 ms late',
      'p99 send lag 42.0 ms',
      'achieved 9000 of 10000',
    ])
      expect(r.reason).toContain(part);
  });

  it('a bench can ask for stricter bounds', () => {
    expect(judgeValidity({ ...ok, late: 11, maxLateFraction: 0.001 }).valid).toBe(false);
  });

  it('the harness SLO row says what the code does', () => {
    const t = parse(readFileSync(new URL('../scenarios/slo/harness.yaml', import.meta.url), 'utf8')) as {
      rows: { id: string; objective: { value: number }; title: string }[];
    };
    const late = t.rows.find((r) => r.id === 'loadgen.late-sends')!;
    expect(late.objective.value).toBe(MAX_LATE_FRACTION * 100);
    expect(late.title).toContain(`${LATE_LAG_US / 1000} ms late`);
    expect(MAX_UNSENT_FRACTION).toBeLessThanOrEqual(MAX_LATE_FRACTION);
  });
});
