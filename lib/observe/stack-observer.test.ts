import { describe, expect, it } from 'vitest';
import { buildTopology } from '../../system/topology.ts';
import { parseHaproxyCsv } from './stack-observer.ts';

describe('parseHaproxyCsv', () => {
  it('keeps servers with their AZ and health status, drops FRONTEND/BACKEND rows', () => {
    const t = buildTopology({ profile: 'ci', network: 'netns' });
    const csv = [
      '# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status',
      'edge,FRONTEND,,,0,1,8000,3,0,0,0,0,0,,,,,OPEN',
      'search-api,search-api-a1,0,0,0,1,,2,0,0,,0,,0,0,0,0,UP',
      'search-api,search-api-b1,0,0,0,1,,2,0,0,,0,,0,0,0,0,DOWN 1/2',
      'search-api,search-api-c1,0,0,0,1,,2,0,0,,0,,0,0,0,0,MAINT',
      'search-api,BACKEND,0,0,0,1,,2,0,0,,0,,0,0,0,0,UP',
    ].join('\n');
    expect(parseHaproxyCsv(csv, t)).toEqual([
      { backend: 'search-api', server: 'search-api-a1', az: 'az-a', status: 'UP' },
      { backend: 'search-api', server: 'search-api-b1', az: 'az-b', status: 'DOWN' },
      { backend: 'search-api', server: 'search-api-c1', az: 'az-c', status: 'MAINT' },
    ]);
  });
});
