import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WindshearError } from '../lib/errors.ts';
import type { HistoryEvent } from '../lib/run-format.ts';
import { fixtureView } from './fakes/fixture-view.ts';
import { type RecordingPlatform, recordingPlatform } from './fakes/recording-platform.ts';
import type { Step } from './faults/step.ts';
import { append, readJournal, type UndoRecord } from './journal.ts';
import {
  applyFault,
  checkFaultSpec,
  type FaultDeps,
  type FaultRequest,
  healAll,
  injectFault,
  installHealOnSignals,
  prepareFault,
  recoverFault,
  stepGroups,
} from './run-fault.ts';

let dir = '';
let journalPath = '';
let events: HistoryEvent[] = [];
let platform: RecordingPlatform;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ws-run-fault-'));
  journalPath = path.join(dir, 'state', 'journal.jsonl');
  events = [];
  platform = recordingPlatform();
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

let tick = 0;
function deps(p: RecordingPlatform = platform): FaultDeps {
  return {
    platform: p,
    journalPath,
    onEvent: (e) => events.push(e),
    observe: async () => fixtureView(),
    clock: { t: () => tick++, wall: () => '2026-01-01T00:00:00.000Z' },
  };
}
const brief = (e: HistoryEvent) =>
  e.kind === 'fault-step'
    ? `${e.step} ${e.action} =${e.exitCode}`
    : e.kind === 'fault-start'
      ? `start ${e.fault}`
      : e.kind;

async function refusedWith(req: FaultRequest, code: string, p = platform) {
  const err = await prepareFault(req, deps(p)).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WindshearError);
  expect((err as WindshearError).problems[0]?.code).toBe(code);
  expect((err as WindshearError).problems[0]?.fix).toBeTruthy();
  // Nothing changed: no platform action, no journal.
  expect(p.calls).toEqual([]);
  expect(fs.existsSync(journalPath)).toBe(false);
}

describe('undo first', () => {
  it('journals each undo BEFORE its apply step runs', async () => {
    const seenAtCall: string[][] = [];
    platform.onCall = () =>
      seenAtCall.push(readJournal(journalPath).outstanding.map((u) => JSON.stringify(u.step)));
    const p = await prepareFault(
      { faultId: 'f1', fault: 'kill', selector: 'service:search-api(all)' },
      deps(),
    );
    await applyFault(p, deps());
    expect(platform.calls).toEqual([
      'kill search-api-a1 SIGKILL',
      'kill search-api-b1 SIGKILL',
      'kill search-api-c1 SIGKILL',
    ]);
    expect(seenAtCall[0]).toEqual(['{"op":"start","name":"search-api-a1"}']);
    expect(seenAtCall[1]).toContain('{"op":"start","name":"search-api-b1"}');
    expect(seenAtCall[2]).toContain('{"op":"start","name":"search-api-c1"}');
  });

  it('records fault-start with live roles, each step with its exit code, and fault-stop', async () => {
    const { heal } = await injectFault(
      { faultId: 'f1', fault: 'pause', selector: 'redis:primary', forSec: 0.01 },
      deps(),
    );
    expect(heal?.healed).toBe(1);
    expect(events.map(brief)).toEqual([
      'start pause',
      'apply pause redis-b =0',
      'recover resume redis-b =0',
      'fault-stop',
    ]);
    const start = events[0];
    expect(start?.kind === 'fault-start' && start.targets).toEqual([
      { name: 'redis-b', az: 'az-b', role: 'primary' },
    ]);
    expect(start?.kind === 'fault-start' && start.selector).toBe('redis:primary');
    expect(readJournal(journalPath).outstanding).toEqual([]);
  });

  it('heals a partition by the rule id the platform returned', async () => {
    await injectFault(
      {
        faultId: 'p',
        fault: 'partition',
        selector: 'az:az-b',
        params: { direction: 'ingress' },
        forSec: 0.01,
      },
      deps(),
    );
    expect(platform.calls).toEqual([
      'partition az-b both -> rule-1'.replace('both', 'ingress'),
      'heal rule-1',
    ]);
  });

  it('on a failing step, undoes what was applied (including the failed step) and throws', async () => {
    platform.failOn.add('kill search-api-b1');
    const err = await injectFault(
      { faultId: 'f2', fault: 'kill', selector: 'service:search-api(all)', forSec: 5 },
      deps(),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WindshearError);
    expect((err as WindshearError).problems[0]?.code).toBe('fault-step-failed');
    expect(platform.calls).toEqual([
      'kill search-api-a1 SIGKILL',
      'kill search-api-b1 SIGKILL',
      'start search-api-b1',
      'start search-api-a1',
    ]);
    expect(events.map(brief).at(-1)).toBe('fault-stop');
    expect(readJournal(journalPath).outstanding).toEqual([]);
  });

  it('treats a platform call that throws as a failed step and heals', async () => {
    platform.throwOn.add('az-down az-b');
    await expect(
      injectFault({ faultId: 'f3', fault: 'az-outage', selector: 'az:az-b', forSec: 5 }, deps()),
    ).rejects.toThrow(/az-down az-b/);
    expect(platform.calls).toEqual(['az-down az-b', 'az-up az-b']);
  });
});

describe('healAll', () => {
  it('replays every outstanding undo, last first, after the injector is gone', async () => {
    await injectFault({ faultId: 'a', fault: 'kill', selector: 'kafka:controller-leader' }, deps());
    await injectFault(
      { faultId: 'b', fault: 'delay', selector: 'az:az-c', params: { delayMs: 100 } },
      deps(),
    );
    expect(platform.calls).toEqual(['kill kafka-2 SIGKILL', 'shape az-c -> rule-1']);
    // A new process: only the journal file survives.
    const fresh = recordingPlatform();
    const r1 = await healAll(fresh, journalPath);
    expect(fresh.calls).toEqual(['heal rule-1', 'start kafka-2']);
    expect(r1).toEqual({ healed: 2, failed: [], unresolved: [], skipped: 0 });
    // Idempotent: nothing left to do.
    const r2 = await healAll(fresh, journalPath);
    expect(fresh.calls).toHaveLength(2);
    expect(r2.healed).toBe(0);
  });

  it('heals from a journal written by a crashed process', async () => {
    const wall = '2026-01-01T00:00:00.000Z';
    const undo = (i: number, step: UndoRecord['step']) =>
      append(journalPath, {
        type: 'undo',
        id: `x@1/${i}`,
        instance: 'x@1',
        faultId: 'x',
        fault: 'f',
        step,
        wall,
      });
    undo(0, { op: 'az-up', az: 'az-a' });
    append(journalPath, { type: 'done', id: 'x@1/0', exitCode: 0, wall });
    undo(1, { op: 'resume', name: 'pg-a' });
    undo(2, { op: 'heal', ref: 'partition-0' });
    append(journalPath, { type: 'bound', instance: 'x@1', ref: 'partition-0', ruleId: 'nft-9', wall });
    undo(3, { op: 'heal', ref: 'partition-1' }); // died inside partition(): no id
    fs.appendFileSync(journalPath, '{"type":"undo","id":"x@1/4"'); // torn last line
    const r = await healAll(platform, journalPath, { onEvent: (e) => events.push(e) });
    expect(platform.calls).toEqual(['heal nft-9', 'resume pg-a']);
    expect(r.healed).toBe(2);
    expect(r.skipped).toBe(1);
    expect(r.unresolved).toEqual([
      { faultId: 'x', action: 'heal partition-1', detail: 'no rule id was recorded for partition-1' },
    ]);
    expect(events.map(brief)).toEqual([
      'recover heal partition-1 =1',
      'recover heal partition-0 =0',
      'recover resume pg-a =0',
    ]);
    expect(readJournal(journalPath).outstanding).toEqual([]);
  });

  it('keeps a failed undo outstanding so the next heal retries it', async () => {
    await injectFault({ faultId: 'a', fault: 'pause', selector: 'postgres:primary' }, deps());
    platform.failOn.add('resume pg-a');
    const r1 = await healAll(platform, journalPath);
    expect(r1.failed).toEqual([{ faultId: 'a', action: 'resume pg-a', exitCode: 1, detail: 'fake failure' }]);
    platform.failOn.clear();
    const r2 = await healAll(platform, journalPath);
    expect(r2.healed).toBe(1);
    expect(platform.calls).toEqual(['pause pg-a', 'resume pg-a', 'resume pg-a']);
  });

  it('recoverFault only touches its own fault', async () => {
    const a = await injectFault({ faultId: 'a', fault: 'pause', selector: 'name:kafka-1' }, deps());
    await injectFault({ faultId: 'b', fault: 'pause', selector: 'name:kafka-3' }, deps());
    await recoverFault(a.prepared, deps());
    expect(platform.calls.slice(2)).toEqual(['resume kafka-1']);
    expect(readJournal(journalPath).outstanding.map((u) => u.faultId)).toEqual(['b']);
  });
});

describe('signals', () => {
  it('on SIGINT aborts the injection, heals everything and exits 130', async () => {
    const emitter = new EventEmitter();
    const exits: number[] = [];
    let exited: () => void = () => {};
    const done = new Promise<void>((r) => {
      exited = r;
    });
    const h = installHealOnSignals({
      platform,
      journalPath,
      onEvent: (e) => events.push(e),
      log: () => {},
      exit: (code) => {
        exits.push(code);
        exited();
      },
      signals: emitter,
    });
    // Ctrl-C arrives while the first of three kills is running.
    platform.onCall = (action) => {
      if (action === 'kill search-api-a1 SIGKILL') emitter.emit('SIGINT');
    };
    const run = injectFault(
      { faultId: 's', fault: 'kill', selector: 'service:search-api(all)', forSec: 60 },
      deps(),
      {
        signal: h.signal,
      },
    );
    await done;
    await run;
    h.uninstall();
    expect(exits).toEqual([130]);
    expect(platform.calls).toEqual(['kill search-api-a1 SIGKILL', 'start search-api-a1']);
    expect(readJournal(journalPath).outstanding).toEqual([]);
    expect(events.filter((e) => e.kind === 'fault-stop')).toHaveLength(1);
    expect(emitter.listenerCount('SIGINT')).toBe(0);
  });
});

describe('checkFaultSpec (for the scenario planner)', () => {
  it('reports every static problem at once', () => {
    const problems = checkFaultSpec(
      { fault: 'delay', selector: 'kafka:boss', params: { delayMs: 'x', extra: 1 } },
      {
        processFaults: true,
        networkFaults: false,
        azOutage: false,
        missing: { networkFaults: 'not root: loopback mode' },
      },
    );
    expect(problems.map((p) => p.code)).toEqual([
      'fault-param',
      'fault-param',
      'platform-cannot',
      'selector-syntax',
    ]);
    expect(problems[2]?.message).toContain('not root: loopback mode');
  });
  it('passes a valid fault', () => {
    const caps = { processFaults: true, networkFaults: true, azOutage: true, missing: {} };
    expect(checkFaultSpec({ fault: 'ingress-pause', forSec: 5 }, caps)).toEqual([]);
    expect(
      checkFaultSpec({ fault: 'partition', selector: 'az:az-b', params: { direction: 'egress' } }, caps),
    ).toEqual([]);
  });
});

describe('refusals change nothing', () => {
  it('unknown fault', () =>
    refusedWith({ faultId: 'r', fault: 'meteor', selector: 'haproxy' }, 'unknown-fault'));
  it('bad parameters', async () => {
    const err = await prepareFault(
      { faultId: 'r', fault: 'delay', selector: 'az:az-b', params: { delayMs: 'soon' } },
      deps(),
    ).catch((e: unknown) => e);
    expect((err as WindshearError).problems[0]?.code).toBe('fault-param');
    expect(platform.calls).toEqual([]);
  });
  it('selector syntax', () =>
    refusedWith({ faultId: 'r', fault: 'kill', selector: 'kafka:boss' }, 'selector-syntax'));
  it('a selector that matches nothing', () =>
    refusedWith(
      { faultId: 'r', fault: 'kill', selector: 'kafka:partition-leader(topic=nope,partition=0)' },
      'selector-matched-nothing',
    ));
  it('a network fault on a platform without root', () =>
    refusedWith(
      { faultId: 'r', fault: 'partition', selector: 'az:az-b' },
      'platform-cannot',
      recordingPlatform({
        capabilities: { networkFaults: false, missing: { networkFaults: 'not root: loopback mode' } },
      }),
    ));
  it('says why the platform cannot', async () => {
    const p = recordingPlatform({
      capabilities: { azOutage: false, missing: { azOutage: 'not root: loopback mode' } },
    });
    await expect(
      prepareFault({ faultId: 'r', fault: 'az-outage', selector: 'az:az-a' }, deps(p)),
    ).rejects.toThrow(/not root: loopback mode/);
  });
  it('a target outside the topology', () =>
    refusedWith({ faultId: 'r', fault: 'kill', selector: 'name:postgres-prod' }, 'target-outside-topology'));
  it('a PID windshear did not start', () =>
    refusedWith({ faultId: 'r', fault: 'kill', selector: 'pid:1' }, 'target-outside-topology'));
  it('an AZ that is not ours', () =>
    refusedWith({ faultId: 'r', fault: 'az-outage', selector: 'az:az-q' }, 'target-outside-topology'));
  it('nothing up', () =>
    refusedWith(
      { faultId: 'r', fault: 'kill', selector: 'redis:primary' },
      'nothing-up',
      recordingPlatform({ topology: null }),
    ));
  it('a process fault on a whole AZ', () =>
    refusedWith({ faultId: 'r', fault: 'kill', selector: 'az:az-b' }, 'fault-target-kind'));
  it('a network fault on the edge', () =>
    refusedWith(
      { faultId: 'r', fault: 'delay', selector: 'haproxy', params: { delayMs: 5 } },
      'fault-target-kind',
    ));
  it('ingress-pause without a duration, or on something else', async () => {
    await refusedWith({ faultId: 'r', fault: 'ingress-pause' }, 'fault-needs-duration');
    await refusedWith(
      { faultId: 'r', fault: 'ingress-pause', selector: 'redis:primary', forSec: 3 },
      'fault-target-kind',
    );
  });
  it('ingress-pause defaults to the edge and pauses it for the duration', async () => {
    await injectFault({ faultId: 'i', fault: 'ingress-pause', forSec: 0.01 }, deps());
    expect(platform.calls).toEqual(['pause haproxy', 'resume haproxy']);
  });
});

describe('stepGroups', () => {
  it('runs consecutive reconfigure steps together and every other step alone, in order', () => {
    const steps: Step[] = [
      { op: 'reconfigure', name: 'ingest-a', env: { X: '1' } },
      { op: 'reconfigure', name: 'ingest-b', env: { X: '1' } },
      { op: 'kill', name: 'kafka-1', signal: 'SIGKILL' },
      { op: 'reconfigure', name: 'ingest-c', env: {} },
      { op: 'start', name: 'kafka-1' },
      { op: 'start', name: 'kafka-2' },
    ];
    const names = stepGroups(steps, (s) => s).map((g) => g.map((s) => ('name' in s ? s.name : s.op)));
    expect(names).toEqual([['ingest-a', 'ingest-b'], ['kafka-1'], ['ingest-c'], ['kafka-1'], ['kafka-2']]);
  });
});
