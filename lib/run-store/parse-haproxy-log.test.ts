import { describe, expect, it } from 'vitest';
import { parseHaproxyLog } from './parse-haproxy-log.ts';

// Lines as HAProxy 2.6 wrote them with `log stderr format rfc5424 local0 notice`.
const LOG = [
  '[WARNING]  (18797) : Server search-api/search-api-a1 is DOWN, reason: Layer4 timeout, check duration: 3001ms. 2 active and 0 backup servers left.',
  '<129>1 2026-12-03T10:49:02.181843+00:00 - haproxy 18797 - - Server search-api/search-api-a1 is DOWN, reason: Layer4 timeout, check duration: 3001ms. 2 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.',
  '<128>1 2026-12-03T10:49:02.181860+00:00 - haproxy 18797 - - backend search-api has no server available!',
  '<133>1 2026-12-03T11:49:04.931282+01:00 host haproxy 18797 - - Server search-api/search-api-b1 is UP, reason: Layer7 check passed, code: 200, check duration: 8ms. 1 active and 0 backup servers online.',
  '<133>1 2026-12-03T10:49:05Z - haproxy 18797 - - Server booking/booking-c1 is UP, reason: Layer7 check passed',
  '<133>1 2026-12-03T10:49:06.5+00:00 - haproxy 1 - - Server booking/booking-c1 is going DOWN for maintenance.',
  '<133>1 not-a-time - haproxy 1 - - Server booking/booking-c1 is UP',
  '',
].join('\n');

describe('parseHaproxyLog', () => {
  it("reads the servers' health changes with sub-millisecond times on the run's clock, and nothing else", () => {
    const epoch = Date.parse('2026-12-03T10:49:00.000Z');
    expect(parseHaproxyLog(LOG, epoch)).toEqual([
      {
        t: 2181.843,
        wall: '2026-12-03T10:49:02.181843+00:00',
        backend: 'search-api',
        server: 'search-api-a1',
        status: 'DOWN',
      },
      {
        t: 4931.282,
        wall: '2026-12-03T11:49:04.931282+01:00',
        backend: 'search-api',
        server: 'search-api-b1',
        status: 'UP',
      },
      { t: 5000, wall: '2026-12-03T10:49:05Z', backend: 'booking', server: 'booking-c1', status: 'UP' },
    ]);
  });

  it('reads nothing from a log without timestamps (HAProxy without the log line)', () => {
    expect(parseHaproxyLog(LOG.split('\n')[0]!, 0)).toEqual([]);
  });
});
