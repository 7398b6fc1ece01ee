import { existsSync, readFileSync, statSync } from 'node:fs';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { waitFor } from '../lib/exec.ts';
import { paths } from '../lib/paths.ts';
import type { HistoryEvent } from '../lib/run-format.ts';
import { runCli } from '../test/run-cli.ts';
import { procState } from './platforms/local/processes.ts';
import { readState } from './platforms/local/state-file.ts';
import { platformFor } from './platforms/platform-for.ts';
import { healAll } from './run-fault.ts';

const { topology } = inject('stack');
// One search-api replica: the LB keeps serving from the other two while it is paused.
const TARGET = topology.components.find((c) => c.service === 'search-api' && c.az === 'az-b')!;
const SELECTOR = 'service:search-api(az=az-b)';

const pidOf = (name: string) => readState(paths.stateFile())!.components[name]!.pid!;
const historySize = () => (existsSync(paths.chaosHistory()) ? statSync(paths.chaosHistory()).size : 0);

/** History events appended since byte `from`. */
function historySince(from: number): HistoryEvent[] {
  return readFileSync(paths.chaosHistory())
    .subarray(from)
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as HistoryEvent);
}

/** The ad hoc fault id the CLI printed in its fault-start line. */
function faultIdIn(stdout: string): string {
  const id = /\s(adhoc-\S+) pause on /.exec(stdout)?.[1];
  expect(id, stdout).toBeDefined();
  return id!;
}

const ofFault = (events: HistoryEvent[], id: string) =>
  events.filter((e) => 'faultId' in e && e.faultId === id);

describe('windshear chaos inject/heal record their faults in the ad hoc history', () => {
  afterAll(async () => {
    await healAll(await platformFor('local'), paths.journal());
  });

  it('inject pause --for 3s pauses the target, resumes it and records start, steps and stop', async () => {
    const pid = pidOf(TARGET.name);
    const from = historySize();
    const run = runCli(['chaos', 'inject', 'pause', '--target', SELECTOR, '--for', '3s']);
    // The CLI starts, resolves the selector against the live cluster, then pauses for 3 s: on a busy
    // 2-core machine that start can take well over 10 s, so watch until the CLI is done.
    let done = false;
    void run.then(() => {
      done = true;
    });
    const paused = await waitFor(
      async () => (procState(pid) === 'T' ? true : done ? false : null),
      120_000,
      50,
    );
    const r = await run;
    expect(r.code, r.stderr).toBe(0);
    expect(paused).toBe(true);
    expect(procState(pid)).not.toBe('T');
    expect(r.stdout).toContain(`history: ${paths.chaosHistory()}`);

    const id = faultIdIn(r.stdout);
    const events = ofFault(historySince(from), id);
    expect(events.map((e) => e.kind)).toEqual(['fault-start', 'fault-step', 'fault-step', 'fault-stop']);
    const [start, apply, recover, stop] = events;
    expect(start).toMatchObject({ fault: 'pause', selector: SELECTOR });
    expect(start?.kind === 'fault-start' && start.targets).toEqual([
      { name: TARGET.name, az: 'az-b', role: 'backend' },
    ]);
    expect(apply).toMatchObject({ step: 'apply', action: `pause ${TARGET.name}`, exitCode: 0 });
    expect(recover).toMatchObject({ step: 'recover', action: `resume ${TARGET.name}`, exitCode: 0 });
    // Held for --for: stop comes about 3 s after start.
    const heldMs = Date.parse(stop!.wall) - Date.parse(start!.wall);
    expect(heldMs).toBeGreaterThanOrEqual(2_900);
    expect(heldMs).toBeLessThan(10_000);
  });

  it('inject pause without --for stays; chaos heal resumes it and records the recovery and stop', async () => {
    const pid = pidOf(TARGET.name);
    const from = historySize();
    const r = await runCli(['chaos', 'inject', 'pause', '--target', SELECTOR]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/stays injected/);
    expect(procState(pid)).toBe('T');
    const id = faultIdIn(r.stdout);
    expect(ofFault(historySince(from), id).map((e) => e.kind)).toEqual(['fault-start', 'fault-step']);

    const afterInject = historySize();
    const h = await runCli(['chaos', 'heal']);
    expect(h.code, h.stderr).toBe(0);
    expect(h.stdout).toContain(`history: ${paths.chaosHistory()}`);
    expect(procState(pid)).not.toBe('T');
    const healed = ofFault(historySince(afterInject), id);
    expect(healed.map((e) => e.kind)).toEqual(['fault-step', 'fault-stop']);
    expect(healed[0]).toMatchObject({ step: 'recover', action: `resume ${TARGET.name}`, exitCode: 0 });
  });
});
