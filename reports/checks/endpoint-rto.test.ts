import { describe, expect, it } from 'vitest';
import type { HistoryEvent, LbTransition, TargetRef } from '../../lib/run-format.ts';
import { endpointRtos, endpointTags } from './endpoint-rto.ts';
import { faultMeasurements } from './fault-recovery.ts';
import { SliBounds } from './good-requests.ts';
import { judge } from './judge.ts';
import type { RequestSample } from './request-samples.ts';
import { SETTLE_SEC, sliFor, sliRecovery } from './sli-recovery.ts';
import { faultStart, faultStop, judgeOne, phases, plan, row, runData } from './test-run.ts';

// A synthetic search-api pause, shaped like endpoint-calibration in ci: search every 125 ms
// (8 req/s), price every 667 ms, reserve and reservation-get every 2.5 s, book every 10 s. The
// fault pauses every search-api replica at 20 s and resumes them at 30 s; HAProxy marks them DOWN
// at ~26 s and the first UP again at 31.4 s. Search and price (both routed to search-api) fail
// until then; the other endpoints never notice.
const TARGETS: TargetRef[] = ['a', 'b', 'c'].map((az) => ({
  name: `search-api-${az}1`,
  az: `az-${az}` as TargetRef['az'],
}));
const START = 20_000;
const UP = 31_400;

const every = (tag: string, periodMs: number, bad: (t: number) => boolean, endMs = 45_000): RequestSample[] =>
  Array.from({ length: Math.ceil(endMs / periodMs) }, (_, i) => {
    const t = Math.round(i * periodMs);
    return { tag, issuedMs: t, durationMs: bad(t) ? 3 : 5, error: bad(t) };
  });
const down = (t: number) => t >= START && t < UP;
const requests = [
  ...every('search', 125, down),
  ...every('price', 667, down),
  ...every('reserve', 2500, () => false),
  ...every('reservation-get', 2500, () => false),
  ...every('book', 10_000, () => false),
].sort((a, b) => a.issuedMs - b.issuedMs);

const step = (t: number, step: 'apply' | 'recover'): HistoryEvent => ({
  kind: 'fault-step',
  t,
  wall: 'w',
  faultId: 'pause-search',
  step,
  action: step === 'apply' ? 'SIGSTOP' : 'SIGCONT',
  exitCode: 0,
});
const history: HistoryEvent[] = [
  ...phases(
    [
      ['baseline', 0],
      ['fault', 20],
      ['recovery', 30],
      ['after', 40],
      ['drain', 45],
    ],
    50,
  ),
  faultStart(START, 'pause-search', 'pause', TARGETS),
  step(START + 5, 'apply'),
  step(30_000, 'recover'),
  faultStop(30_010, 'pause-search'),
].sort((a, b) => a.t - b.t);

const lb = (t: number, server: string, status: 'UP' | 'DOWN'): LbTransition => ({
  t,
  wall: 'w',
  backend: server.replace(/-[a-c]\d$/, ''),
  server,
  status,
});
const transitions: LbTransition[] = [
  lb(1_000, 'search-api-a1', 'UP'), // before the fault: not about it
  lb(26_010, 'search-api-a1', 'DOWN'),
  lb(26_020, 'search-api-b1', 'DOWN'),
  lb(26_030, 'search-api-c1', 'DOWN'),
  lb(26_500, 'booking-a1', 'DOWN'), // not a target
  lb(UP, 'search-api-b1', 'UP'),
  lb(31_900, 'search-api-a1', 'UP'),
];
const planned = plan({
  faults: [
    { id: 'pause-search', fault: 'pause', selector: 'service:search-api(count=all)', atSec: 20, forSec: 10 },
  ],
});
const pauseRun = (over: Parameters<typeof runData>[0] = {}) =>
  runData({ plan: planned, history, metrics: [], requests, lbTransitions: transitions, ...over });

const errRow = row({
  metric: 'endpoint-rto-error',
  id: 'calibration.endpoint-rto.error',
  params: { faultKind: 'pause', tag: 'search' },
  objective: { op: '<=', value: 5 },
  unit: '%',
});
const othersRow = row({
  metric: 'endpoint-rto',
  id: 'calibration.endpoint-rto.others',
  params: { faultKind: 'pause', except: ['search', 'price'] },
  objective: { op: '<=', value: 0.5 },
  unit: 's',
});

describe('endpointRtos', () => {
  const fault = { faultId: 'pause-search', fault: 'pause', targets: TARGETS, startMs: START, stopMs: 30_010 };

  it('gives each endpoint its own RTO: the paused backend until the answer after re-admission, the others 0', () => {
    const run = pauseRun();
    expect(endpointTags(run)).toEqual(['search', 'price', 'reserve', 'reservation-get', 'book']);
    const rtos = endpointRtos(run, fault, 45_000, [], new SliBounds());
    // search: first request due at or after 31.4 s is due at 31.5 s and answered 5 ms later.
    expect(rtos.find((r) => r.tag === 'search')).toEqual({
      tag: 'search',
      rtoMs: 31_505 - START,
      detectionMs: 0,
      requests: 200,
    });
    // price (every 667 ms): due at 32.016 s, answered at 32.021 s.
    expect(rtos.find((r) => r.tag === 'price')?.rtoMs).toBe(32_021 - START);
    for (const tag of ['reserve', 'reservation-get', 'book'])
      expect(rtos.find((r) => r.tag === tag)).toMatchObject({ rtoMs: 0, detectionMs: null });
    expect(rtos.find((r) => r.tag === 'book')?.requests).toBe(3);
  });

  it('an endpoint with nothing due during the fault is not measured (null, 0 requests)', () => {
    const run = pauseRun({ requests: requests.filter((r) => r.tag !== 'book' || r.issuedMs < START) });
    expect(endpointRtos(run, fault, 45_000, [], new SliBounds(), ['book'])).toEqual([
      { tag: 'book', rtoMs: null, detectionMs: null, requests: 0 },
    ]);
  });

  it('a second with nothing of a sparse endpoint due is neutral for it, bad for the overall SLI', () => {
    const run = pauseRun();
    const sli = sliFor({ id: 'x', params: { tag: 'reserve' } }, [], new SliBounds());
    // Reserve comes every 2.5 s: read the old way, the first empty second after the fault is an outage.
    expect(sliRecovery(run, fault, 45_000, sli, SETTLE_SEC).detectionMs).toBe(1000);
    expect(sliRecovery(run, fault, 45_000, sli, SETTLE_SEC, { emptySeconds: 'neutral' })).toEqual({
      rtoMs: 0,
      detectionMs: null,
    });
    // One slow book (2 s, over its 1 s bound) at 30 s: recovered at the answer of the next one, due at 40 s.
    const slowBook = requests.map((r) =>
      r.tag === 'book' && r.issuedMs === 30_000 ? { ...r, durationMs: 2000 } : r,
    );
    const book = sliFor({ id: 'x', params: { tag: 'book' } }, [], new SliBounds());
    expect(
      sliRecovery(pauseRun({ requests: slowBook }), fault, 45_000, book, SETTLE_SEC, {
        emptySeconds: 'neutral',
      }),
    ).toEqual({ rtoMs: 40_005 - START, detectionMs: 10_000 });
  });
});

describe('endpoint-rto-error', () => {
  it("is the endpoint's RTO against HAProxy's re-admission: fault start to the first target UP again", () => {
    const v = judgeOne(pauseRun(), errRow);
    // RTO 11.505 s against 11.4 s: 0.92 %.
    expect(v).toMatchObject({ verdict: 'pass', measured: 0.92 });
    expect(v.detail).toContain(
      'pause-search: search RTO 11.505 s; HAProxy: DOWN at 6.01 s, resumed at 10 s, search-api-b1 UP at 11.4 s (1.4 s after the resume)',
    );
  });

  it('fails when the RTO is off the truth by more than the objective', () => {
    // HAProxy re-admitted at 31.4 s but search stayed bad until 33 s: RTO 13.005 s, 14.08 % late.
    const late = requests.map((r) =>
      r.tag === 'search' && r.issuedMs >= UP && r.issuedMs < 33_000 ? { ...r, error: true } : r,
    );
    expect(judgeOne(pauseRun({ requests: late }), errRow)).toMatchObject({
      verdict: 'fail',
      measured: 14.08,
    });
  });

  it('is unknown without the truth: no HAProxy log, no target DOWN, or none UP again', () => {
    const noLog = judgeOne(pauseRun({ lbTransitions: null }), errRow);
    expect(noLog).toMatchObject({ verdict: 'unknown', measured: null });
    expect(noLog.detail).toMatch(/kept no HAProxy log/);
    const neverDown = judgeOne(
      pauseRun({ lbTransitions: transitions.filter((x) => x.status === 'UP') }),
      errRow,
    );
    expect(neverDown.verdict).toBe('unknown');
    expect(neverDown.detail).toContain('HAProxy marked no target DOWN');
    const neverUp = judgeOne(pauseRun({ lbTransitions: transitions.filter((x) => x.t < 30_000) }), errRow);
    expect(neverUp.verdict).toBe('unknown');
    expect(neverUp.detail).toContain('HAProxy marked a target DOWN at 6.01 s and none UP again');
  });

  it('is unknown when the pause did not run as planned', () => {
    const notStarted = history.filter((e) => e.kind !== 'fault-start' && e.kind !== 'fault-step');
    expect(judgeOne(pauseRun({ history: notStarted }), errRow).verdict).toBe('unknown');
  });
});

describe('endpoint-rto', () => {
  it('reads the worst RTO of the endpoints in scope: near 0 for those the pause did not touch', () => {
    const v = judgeOne(pauseRun(), othersRow);
    expect(v).toMatchObject({ verdict: 'pass', measured: 0 });
    expect(v.detail).toContain(
      'pause-search reserve 0 s, pause-search reservation-get 0 s, pause-search book 0 s',
    );
    // Without the exceptions, search and price are in scope and price is worst.
    const all = { ...othersRow, id: 'all', params: { faultKind: 'pause' } };
    expect(judgeOne(pauseRun(), all)).toMatchObject({ verdict: 'fail', measured: 12.021 });
  });

  it('fails when another endpoint was hurt, and is unknown when one in scope was not measured', () => {
    const hurt = requests.map((r) =>
      r.tag === 'reserve' && r.issuedMs === 22_500 ? { ...r, error: true } : r,
    );
    // The bad reserve due at 22.5 s; the next (25 s) answered at 25.005 s.
    expect(judgeOne(pauseRun({ requests: hurt }), othersRow)).toMatchObject({
      verdict: 'fail',
      measured: 5.005,
    });
    const noBook = requests.filter((r) => r.tag !== 'book' || r.issuedMs < START);
    const v = judgeOne(pauseRun({ requests: noBook }), othersRow);
    expect(v).toMatchObject({ verdict: 'unknown', measured: 0 });
    expect(v.detail).toContain('pause-search book no request due');
  });
});

describe('faultMeasurements', () => {
  it("carries the per-endpoint rows and HAProxy's record of the fault into results.json", () => {
    const [m] = faultMeasurements(pauseRun(), []);
    expect(m?.endpoints?.map((e) => [e.tag, e.rtoMs])).toEqual([
      ['search', 11_505],
      ['price', 12_021],
      ['reserve', 0],
      ['reservation-get', 0],
      ['book', 0],
    ]);
    expect(m?.lb).toEqual({
      downServer: 'search-api-a1',
      downMs: 6010,
      upServer: 'search-api-b1',
      upMs: 11_400,
    });
    // The overall RTO stays, over every request: price's last bad one (31.349 s) came before
    // search's, so it reads search's 11.505 s, not price's coarser 12.021 s.
    expect(m?.rtoMs).toBe(11_505);
    expect(judge(pauseRun(), [errRow, othersRow], { now: 'T' }).faults[0]?.endpoints).toHaveLength(5);
  });
});
