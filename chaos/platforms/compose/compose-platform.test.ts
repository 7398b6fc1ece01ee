import { describe, expect, it } from 'vitest';
import { partitionRuleset } from '../local/net-faults.ts';
import { azCidr, COMPOSE_PLACE, hostView } from './compose-platform.ts';
import { composeTopology } from './compose-topology.ts';

describe('compose network faults', () => {
  const t = composeTopology('ci');
  it('names each AZ by its /24 and the edge (host gateway, HAProxy) by 10.78.0.0/24', () => {
    expect(azCidr('az-a')).toBe('10.78.1.0/24');
    expect(azCidr('az-c')).toBe('10.78.3.0/24');
    expect(azCidr('edge')).toBe('10.78.0.0/24');
  });
  it("cuts an AZ's containers from the other AZs and the edge on their eth0, with the local builder", () => {
    const rules = partitionRuleset(t, 'p-1', { az: 'az-b', direction: 'both' }, COMPOSE_PLACE);
    expect(rules).toMatch(
      /iifname "eth0" ip saddr \{ 10\.78\.1\.0\/24, 10\.78\.3\.0\/24, 10\.78\.0\.0\/24 \} drop/,
    );
    expect(rules).toMatch(
      /oifname "eth0" ip daddr \{ 10\.78\.1\.0\/24, 10\.78\.3\.0\/24, 10\.78\.0\.0\/24 \} drop/,
    );
  });
  it("gives the harness the edge at HAProxy's container address and every component at its own", () => {
    const v = hostView(t);
    expect(v.edge).toEqual({ host: '10.78.0.10', port: 18080, statsPort: 18081 });
    expect(v.components).toEqual(t.components);
  });
});
