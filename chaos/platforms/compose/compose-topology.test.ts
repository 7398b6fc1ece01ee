import { describe, expect, it } from 'vitest';
import { profileTopology } from '../../../system/topology.ts';
import { composeTopology } from './compose-topology.ts';

describe('composeTopology', () => {
  const t = composeTopology('ci');
  it('has the same components, kinds, AZs and ports as the local platform', () => {
    const local = profileTopology('ci');
    const shape = (c: { name: string; kind: string; az: string; ports: object }) => [
      c.name,
      c.kind,
      c.az,
      c.ports,
    ];
    expect(t.components.map(shape)).toEqual(local.components.map(shape));
  });
  it('gives every container its own address inside its AZ /24, the edge outside the AZs', () => {
    const hosts = t.components.map((c) => c.host);
    expect(new Set(hosts).size).toBe(hosts.length);
    for (const c of t.components) {
      const octet = c.az === 'edge' ? '0' : String(['az-a', 'az-b', 'az-c'].indexOf(c.az) + 1);
      expect(c.host).toMatch(new RegExp(`^10\\.78\\.${octet}\\.\\d+$`));
    }
    expect(t.components.find((c) => c.name === 'kafka-2')?.host).toBe('10.78.2.11');
    expect(t.components.find((c) => c.name === 'haproxy')?.host).toBe('10.78.0.10');
    expect(t.edge).toMatchObject({ host: '0.0.0.0', port: 18080, statsPort: 18081 });
  });
});
