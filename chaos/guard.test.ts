import { describe, expect, it } from 'vitest';
import { buildTopology } from '../system/topology.ts';
import { fixtureView } from './fakes/fixture-view.ts';
import {
  guardAz,
  guardName,
  guardNamespace,
  guardPid,
  guardSteps,
  guardTargets,
  MANAGED_LABEL,
} from './guard.ts';
import { isRefusal } from './refusal.ts';

const topology = buildTopology({ profile: 'ci', network: 'netns' });

describe('blast-radius guard', () => {
  it('accepts components and AZs of the topology', () => {
    expect(guardName('pg-a', topology)).toMatchObject({ name: 'pg-a', kind: 'postgres' });
    expect(guardAz('az-c', topology)).toBeNull();
    expect(
      guardTargets(
        [
          { name: 'kafka-1', az: 'az-a', kind: 'kafka', ports: [9092] },
          { name: 'az-b', az: 'az-b', kind: 'az', ports: [] },
          { name: 'haproxy', az: 'edge', kind: 'haproxy', ports: [18080] },
        ],
        topology,
      ),
    ).toBeNull();
  });
  it('refuses unknown names, AZs and PIDs with the reason and a fix', () => {
    const name = guardName('postgres-prod', topology);
    expect(isRefusal(name) && name.code).toBe('target-outside-topology');
    expect(isRefusal(name) && name.fix).toContain('kafka-1');
    expect(guardAz('us-east-1a', topology)?.message).toContain('us-east-1a');
    const pid = guardPid(1, fixtureView(), topology);
    expect(isRefusal(pid) && pid.message).toContain('PID 1');
    expect(guardPid(4242, fixtureView(), topology)).toMatchObject({ name: 'kafka-1' });
  });
  it('refuses a target whose AZ does not match the topology', () => {
    const r = guardTargets([{ name: 'kafka-1', az: 'az-c', kind: 'kafka', ports: [9092] }], topology);
    expect(r?.code).toBe('target-outside-topology');
  });
  it('refuses everything when nothing is up', () => {
    expect(guardTargets([], null)?.code).toBe('nothing-up');
    expect(guardSteps([], null)?.code).toBe('nothing-up');
  });
  it('checks every name and AZ a step touches', () => {
    expect(guardSteps([{ op: 'kill', name: 'kafka-1', signal: 'SIGKILL' }], topology)).toBeNull();
    expect(guardSteps([{ op: 'start', name: 'sshd' }], topology)?.code).toBe('target-outside-topology');
    expect(guardSteps([{ op: 'az-down', az: 'az-a' }], topology)).toBeNull();
    const loopback = { ...topology, azs: topology.azs.filter((a) => a.name !== 'az-c') };
    expect(guardSteps([{ op: 'az-down', az: 'az-c' }], loopback)?.code).toBe('target-outside-topology');
    expect(
      guardSteps(
        [{ op: 'partition', spec: { az: 'az-a', direction: 'both', from: ['az-c'] }, ref: 'p' }],
        loopback,
      )?.code,
    ).toBe('target-outside-topology');
  });
  it('only touches Kubernetes namespaces labelled as managed', () => {
    expect(guardNamespace({ name: 'ws-run', labels: { [MANAGED_LABEL]: 'true' } })).toBeNull();
    expect(guardNamespace({ name: 'payments' })?.code).toBe('namespace-not-managed');
    expect(guardNamespace({ name: 'x', labels: { [MANAGED_LABEL]: 'false' } })?.fix).toContain(
      'kubectl label',
    );
  });
});
