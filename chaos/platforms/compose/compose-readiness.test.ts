import { describe, expect, it } from 'vitest';
import { parseHaproxyCsv } from '../../../lib/observe/stack-observer.ts';
import { serversNotUp } from './compose-readiness.ts';
import { composeTopology } from './compose-topology.ts';

const server = (name: string, status: 'UP' | 'DOWN' | 'MAINT' | 'NOLB') => ({ server: name, status });

describe('serversNotUp', () => {
  it('is ready (null) when every server HAProxy lists is UP', () => {
    expect(serversNotUp([server('search-api-a1', 'UP'), server('booking-b1', 'UP')])).toBeNull();
  });

  it('names every server not UP with its status, in the order HAProxy lists them', () => {
    expect(
      serversNotUp([
        server('search-api-a1', 'UP'),
        server('search-api-b1', 'DOWN'),
        server('search-api-c1', 'MAINT'),
        server('booking-a1', 'NOLB'),
      ]),
    ).toBe('search-api-b1 DOWN, search-api-c1 MAINT, booking-a1 NOLB');
  });

  it('is not ready when HAProxy lists no servers at all', () => {
    expect(serversNotUp([])).toBe('no servers');
  });

  it("reads HAProxy's stats as the compose stack's edge serves them: a replica still being checked is not UP", () => {
    const csv = [
      '# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status',
      'edge,FRONTEND,,,0,1,8000,3,0,0,0,0,0,,,,,OPEN',
      'search-api,search-api-a1,0,0,0,1,,2,0,0,,0,,0,0,0,0,UP',
      'search-api,search-api-b1,0,0,0,1,,2,0,0,,0,,0,0,0,0,DOWN 1/2',
      'search-api,BACKEND,0,0,0,1,,2,0,0,,0,,0,0,0,0,UP',
    ].join('\n');
    const t = composeTopology('ci');
    expect(serversNotUp(parseHaproxyCsv(csv, t))).toBe('search-api-b1 DOWN');
    expect(serversNotUp(parseHaproxyCsv(csv.replace('DOWN 1/2', 'UP'), t))).toBeNull();
    // Only FRONTEND/BACKEND rows: HAProxy is up but has no replica to send to.
    expect(serversNotUp(parseHaproxyCsv(csv.split('\n').slice(0, 2).join('\n'), t))).toBe('no servers');
  });
});
