import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WindshearError } from '../../lib/errors.ts';
import { loadRun } from './load-run.ts';
import { plan, win } from './test-run.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ws-load-run-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadRun', () => {
  it('reads every file; absent optional files are null', async () => {
    await writeFile(join(dir, 'plan.json'), JSON.stringify(plan({ scenario: 'broker-loss' })));
    await writeFile(join(dir, 'scenario.json'), JSON.stringify({ name: 'broker-loss', slos: ['a', 'b'] }));
    await writeFile(
      join(dir, 'history.jsonl'),
      [
        JSON.stringify({ kind: 'phase', t: 2000, wall: 'w', phase: 'fault' }),
        JSON.stringify({ kind: 'phase', t: 0, wall: 'w', phase: 'baseline' }),
        '{"kind":"sample","t":', // torn last line of a crashed run
      ].join('\n'),
    );
    await writeFile(join(dir, 'metrics.jsonl'), `${JSON.stringify(win(0, 5))}\n`);
    const run = await loadRun(dir);
    expect(run.plan.scenario).toBe('broker-loss');
    expect(run.scenario?.slos).toEqual(['a', 'b']);
    expect(run.history?.map((e) => e.t)).toEqual([0, 2000]);
    expect(run.metrics).toHaveLength(1);
    expect(run.ledger).toBeNull();
    expect(run.readback).toBeNull();
    expect(run.environment).toBeNull();
    expect(run.warnings).toEqual(['history.jsonl: skipped 1 unparsable line(s), first at line 3']);
  });

  it('an invalid optional file reads as absent with a warning', async () => {
    await writeFile(join(dir, 'plan.json'), JSON.stringify(plan()));
    await writeFile(join(dir, 'readback.json'), '{"at": 1}');
    const run = await loadRun(dir);
    expect(run.readback).toBeNull();
    expect(run.warnings[0]).toContain('readback.json');
  });

  it('a directory without plan.json is bad input', async () => {
    await expect(loadRun(dir)).rejects.toBeInstanceOf(WindshearError);
    await expect(loadRun(join(dir, 'nope'))).rejects.toThrow(/does not exist/);
  });
});
