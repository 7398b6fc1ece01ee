import { describe, expect, it } from 'vitest';
import type { FaultTarget } from './index.ts';
import { FAULTS, findFault } from './index.ts';
import { describeStep, planOf, undoOf } from './step.ts';

const kafka2: FaultTarget = {
  name: 'kafka-2',
  az: 'az-b',
  kind: 'kafka',
  role: 'controller-leader',
  ports: [9092, 9093],
};
const redisA: FaultTarget = { name: 'redis-a', az: 'az-a', kind: 'redis', ports: [6379] };
const azB: FaultTarget = { name: 'az-b', az: 'az-b', kind: 'az', role: 'az', ports: [] };
const haproxy: FaultTarget = { name: 'haproxy', az: 'edge', kind: 'haproxy', ports: [18080, 18081] };

function plan(name: string, targets: FaultTarget[], params: Record<string, unknown> = {}) {
  const f = findFault(name);
  if (!f) throw new Error(`no fault ${name}`);
  const r = f.build(targets, params);
  if (!r.ok) throw new Error(r.problems.map((p) => p.message).join('; '));
  return r.plan;
}

describe('fault registry', () => {
  it('lists every kind with a description and its capabilities', () => {
    expect([...FAULTS.keys()]).toEqual([
      'kill',
      'terminate',
      'pause',
      'restart',
      'az-outage',
      'partition',
      'delay',
      'loss',
      'bandwidth',
      'ingress-pause',
      'unsafe-config',
    ]);
    for (const f of FAULTS.values()) {
      expect(f.description.length).toBeGreaterThan(10);
      expect(f.needs.length).toBeGreaterThan(0);
    }
    expect(findFault('partition')?.needs).toEqual(['networkFaults']);
    expect(findFault('az-outage')?.needs).toEqual(['azOutage']);
    expect(findFault('kill')?.needs).toEqual(['processFaults']);
  });
});

describe('process faults', () => {
  it('kill: SIGKILL each target, recovery starts them last first', () => {
    expect(plan('kill', [kafka2, redisA])).toEqual({
      apply: [
        { op: 'kill', name: 'kafka-2', signal: 'SIGKILL' },
        { op: 'kill', name: 'redis-a', signal: 'SIGKILL' },
      ],
      recover: [
        { op: 'start', name: 'redis-a' },
        { op: 'start', name: 'kafka-2' },
      ],
    });
  });
  it('terminate: SIGTERM, then start', () => {
    expect(plan('terminate', [kafka2])).toEqual({
      apply: [{ op: 'kill', name: 'kafka-2', signal: 'SIGTERM' }],
      recover: [{ op: 'start', name: 'kafka-2' }],
    });
  });
  it('pause: SIGSTOP, recovery resumes', () => {
    expect(plan('pause', [redisA])).toEqual({
      apply: [{ op: 'pause', name: 'redis-a' }],
      recover: [{ op: 'resume', name: 'redis-a' }],
    });
  });
  it('restart: SIGTERM then start per target; recovery starts any still down', () => {
    expect(plan('restart', [kafka2, redisA])).toEqual({
      apply: [
        { op: 'kill', name: 'kafka-2', signal: 'SIGTERM' },
        { op: 'start', name: 'kafka-2' },
        { op: 'kill', name: 'redis-a', signal: 'SIGTERM' },
        { op: 'start', name: 'redis-a' },
      ],
      recover: [
        { op: 'start', name: 'redis-a' },
        { op: 'start', name: 'kafka-2' },
      ],
    });
  });
  it('ingress-pause: pauses only the edge and needs a duration', () => {
    expect(plan('ingress-pause', [haproxy, kafka2])).toEqual({
      apply: [{ op: 'pause', name: 'haproxy' }],
      recover: [{ op: 'resume', name: 'haproxy' }],
    });
    expect(findFault('ingress-pause')?.requiresFor).toBe(true);
    expect(findFault('ingress-pause')?.defaultSelector).toBe('haproxy');
  });
  it('unsafe-config: restarts services with the unsafe setting; recovery restores them as configured', () => {
    const ingestA: FaultTarget = { name: 'ingest-a', az: 'az-a', kind: 'service', ports: [7101] };
    expect(plan('unsafe-config', [ingestA])).toEqual({
      apply: [{ op: 'reconfigure', name: 'ingest-a', env: { KAFKA_PRODUCER_ACKS: '1' } }],
      recover: [{ op: 'reconfigure', name: 'ingest-a', env: {} }],
    });
    expect(findFault('unsafe-config')?.build([ingestA], { setting: 'fsync-off' }).ok).toBe(false);
  });
  it('process faults take no parameters', () => {
    const r = findFault('kill')?.build([kafka2], { signal: 'SIGHUP' });
    expect(r?.ok).toBe(false);
    if (r && !r.ok) expect(r.problems[0]?.fix).toMatch(/no parameters/);
  });
});

describe('az-outage', () => {
  it("takes each target's AZ down once and brings it up on heal", () => {
    const kafka2b: FaultTarget = { ...redisA, name: 'redis-b', az: 'az-b' };
    expect(plan('az-outage', [azB, kafka2, kafka2b, redisA])).toEqual({
      apply: [
        { op: 'az-down', az: 'az-b' },
        { op: 'az-down', az: 'az-a' },
      ],
      recover: [
        { op: 'az-up', az: 'az-a' },
        { op: 'az-up', az: 'az-b' },
      ],
    });
  });
});

describe('partition', () => {
  it('an AZ target isolates the whole AZ, symmetric by default', () => {
    expect(plan('partition', [azB])).toEqual({
      apply: [{ op: 'partition', spec: { az: 'az-b', direction: 'both' }, ref: 'partition-0' }],
      recover: [{ op: 'heal', ref: 'partition-0' }],
    });
  });
  it('a component target cuts only its ports; one-way and from= are passed through', () => {
    const p = plan('partition', [kafka2], { direction: 'ingress', from: 'az-a,edge' });
    expect(p.apply).toEqual([
      {
        op: 'partition',
        spec: { az: 'az-b', ports: [9092, 9093], direction: 'ingress', from: ['az-a', 'edge'] },
        ref: 'partition-0',
      },
    ]);
    expect(p.recover).toEqual([{ op: 'heal', ref: 'partition-0' }]);
  });
  it("scope=az cuts the component's whole AZ; keepEdge cuts only the other AZs", () => {
    const p = plan('partition', [kafka2], { scope: 'az', keepEdge: 'true' });
    expect(p.apply).toEqual([
      {
        op: 'partition',
        spec: { az: 'az-b', direction: 'both', from: ['az-a', 'az-c'] },
        ref: 'partition-0',
      },
    ]);
  });
  it('gives each rule its own ref and skips edge targets', () => {
    const p = plan('partition', [kafka2, redisA, haproxy]);
    expect(p.apply.map((s) => (s.op === 'partition' ? s.ref : ''))).toEqual(['partition-0', 'partition-1']);
    expect(p.recover).toEqual([
      { op: 'heal', ref: 'partition-1' },
      { op: 'heal', ref: 'partition-0' },
    ]);
  });
  it('refuses an unknown direction or peer', () => {
    expect(findFault('partition')?.build([azB], { direction: 'sideways' }).ok).toBe(false);
    expect(findFault('partition')?.build([azB], { from: 'az-z' }).ok).toBe(false);
  });
});

describe('netem faults', () => {
  it('delay with jitter on a component: its ports, strings coerced', () => {
    expect(plan('delay', [kafka2], { delayMs: '150', jitterMs: '20' })).toEqual({
      apply: [
        {
          op: 'shape',
          spec: { az: 'az-b', ports: [9092, 9093], delayMs: 150, jitterMs: 20 },
          ref: 'shape-0',
        },
      ],
      recover: [{ op: 'heal', ref: 'shape-0' }],
    });
  });
  it('delay needs delayMs', () => {
    const r = findFault('delay')?.build([kafka2], {});
    expect(r?.ok).toBe(false);
    if (r && !r.ok) expect(r.problems[0]?.path).toBe('params.delayMs');
  });
  it('loss on an AZ', () => {
    expect(plan('loss', [azB], { lossPercent: 5 }).apply).toEqual([
      { op: 'shape', spec: { az: 'az-b', lossPercent: 5 }, ref: 'shape-0' },
    ]);
    expect(findFault('loss')?.build([azB], { lossPercent: 0 }).ok).toBe(false);
    expect(findFault('loss')?.build([azB], { lossPercent: 101 }).ok).toBe(false);
  });
  it('bandwidth', () => {
    expect(plan('bandwidth', [redisA], { rateKbit: 512 }).apply).toEqual([
      { op: 'shape', spec: { az: 'az-a', ports: [6379], rateKbit: 512 }, ref: 'shape-0' },
    ]);
  });
});

describe('steps', () => {
  it('undoOf inverts each apply op and leaves recoveries without undo', () => {
    expect(undoOf({ op: 'az-down', az: 'az-c' })).toEqual({ op: 'az-up', az: 'az-c' });
    expect(undoOf({ op: 'start', name: 'x' })).toBeNull();
    expect(undoOf({ op: 'heal', ref: 'r' })).toBeNull();
    expect(planOf([]).recover).toEqual([]);
  });
  it('describes steps for history', () => {
    expect(describeStep({ op: 'kill', name: 'kafka-2', signal: 'SIGKILL' })).toBe('kill kafka-2 SIGKILL');
    expect(
      describeStep({ op: 'shape', spec: { az: 'az-b', delayMs: 100, jitterMs: 10 }, ref: 'shape-0' }),
    ).toBe('shape az-b delay 100ms jitter 10ms as shape-0');
  });
});
