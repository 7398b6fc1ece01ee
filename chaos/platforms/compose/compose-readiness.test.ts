import { describe, expect, it } from 'vitest';
import { parseHaproxyCsv, serversNotUp } from '../../../lib/observe/stack-observer.ts';
import { composeTopology } from './compose-topology.ts';

describe('serversNotUp on compose', () => {
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
