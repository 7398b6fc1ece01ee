import { describe, expect, it } from 'vitest';
import { buildTopology } from '../../../system/topology.ts';
import {
  DELAY_MAX_QUEUE,
  delayHelperArgs,
  delayIptablesArgv,
  delayQueueNum,
  partitionRuleset,
} from './net-faults.ts';

describe('delayQueueNum', () => {
  it('is stable per id and within 1000-64999', () => {
    expect(delayQueueNum('s-0a1b2c3d')).toBe(delayQueueNum('s-0a1b2c3d'));
    for (const id of ['s-00000000', 's-ffffffff', 'x', 'wsx-test-1']) {
      const q = delayQueueNum(id);
      expect(q).toBeGreaterThanOrEqual(1000);
      expect(q).toBeLessThan(65_000);
    }
  });

  it('differs between ids', () => {
    const ids = Array.from({ length: 200 }, (_, i) => `s-${i.toString(16).padStart(8, '0')}`);
    expect(new Set(ids.map(delayQueueNum)).size).toBeGreaterThan(195);
  });
});

describe('delayIptablesArgv', () => {
  it('queues all egress of the interface, failing open', () => {
    expect(delayIptablesArgv('add', 's-1', 'ws-b-n', 1234)).toEqual([
      [
        'iptables',
        '-w',
        '5',
        '-t',
        'mangle',
        '-A',
        'OUTPUT',
        '-o',
        'ws-b-n',
        '-m',
        'comment',
        '--comment',
        'ws_s_1',
        '-j',
        'NFQUEUE',
        '--queue-num',
        '1234',
        '--queue-bypass',
      ],
    ]);
  });

  it('deletes and checks exactly the rules it adds', () => {
    const ports = [9092, 8080];
    const add = delayIptablesArgv('add', 's-2', 'ws-a-n', 77, ports);
    const del = delayIptablesArgv('delete', 's-2', 'ws-a-n', 77, ports);
    const check = delayIptablesArgv('check', 's-2', 'ws-a-n', 77, ports);
    expect(del).toEqual(add.map((a) => a.map((x) => (x === '-A' ? '-D' : x))));
    expect(check).toEqual(add.map((a) => a.map((x) => (x === '-A' ? '-C' : x))));
    expect(add[0]).toContain('--queue-bypass');
  });

  it('matches TCP from or to the ports, 15 per multiport rule', () => {
    const ports = Array.from({ length: 17 }, (_, i) => 9000 + i);
    const rules = delayIptablesArgv('add', 's-3', 'ws-c-n', 5, ports);
    expect(rules).toHaveLength(2);
    const first = rules[0]!;
    expect(first.slice(first.indexOf('-p'), first.indexOf('--ports') + 2)).toEqual([
      '-p',
      'tcp',
      '-m',
      'multiport',
      '--ports',
      ports.slice(0, 15).join(','),
    ]);
    expect(rules[1]![rules[1]!.indexOf('--ports') + 1]).toBe('9015,9016');
  });
});

describe('delayHelperArgs', () => {
  it('passes delay, jitter, the queue bound and fail-open', () => {
    expect(delayHelperArgs(1234, { az: 'az-b', delayMs: 200, jitterMs: 20 })).toEqual([
      '--queue-num',
      '1234',
      '--delay-ms',
      '200',
      '--jitter-ms',
      '20',
      '--max-queue',
      String(DELAY_MAX_QUEUE),
      '--fail-open',
    ]);
    expect(delayHelperArgs(1, { az: 'az-a', jitterMs: 5 })).toContain('0');
  });
});

describe('partitionRuleset', () => {
  const t = buildTopology({ profile: 'ci', network: 'netns' });
  it('cuts an AZ from every other AZ and the host, both ways, on its own veth', () => {
    const rules = partitionRuleset(t, 'p-1', { az: 'az-b', direction: 'both' });
    expect(rules).toMatch(/table inet ws_p_1 \{/);
    expect(rules).toMatch(/iifname "ws-b-n" ip saddr \{ 10\.77\.0\.11, 10\.77\.0\.13, 10\.77\.0\.1 \} drop/);
    expect(rules).toMatch(/oifname "ws-b-n" ip daddr \{ 10\.77\.0\.11, 10\.77\.0\.13, 10\.77\.0\.1 \} drop/);
  });
  it('cuts only a component’s ports from the named peers, one way', () => {
    const rules = partitionRuleset(t, 'p-2', {
      az: 'az-a',
      ports: [6379, 26379],
      from: ['az-b', 'az-c'],
      direction: 'ingress',
    });
    expect(rules).toMatch(/ip saddr \{ 10\.77\.0\.12, 10\.77\.0\.13 \} tcp dport \{ 6379, 26379 \} drop/);
    expect(rules).not.toMatch(/chain output/);
  });
});
