import { describe, expect, it } from 'vitest';
import type { LedgerOp, Readback } from '../../lib/run-format.ts';
import { judge } from './judge.ts';
import { faultStart, faultStop, judgeOne, phases, row, runData, sample } from './test-run.ts';

const op = (id: string, type: LedgerOp['type'], t: number, over: Partial<LedgerOp> = {}): LedgerOp => ({
  id,
  kind: 'reservation',
  type,
  t,
  wall: '',
  key: `k-${id}`,
  ...over,
});
const history = [
  ...phases([['baseline', 0]], 60),
  faultStart(20_000, 'f1', 'kill-pg-primary'),
  faultStop(30_000, 'f1'),
  sample(17_000, 'kafka', {
    controller: 1,
    brokers: [1, 2, 3],
    partitions: [{ topic: 'reservations.commands', partition: 4, leader: 2, isr: [2, 3] }],
  }),
  sample(19_000, 'postgres', {
    primary: 'pg-a',
    writable: true,
    replicationLagBytes: 100,
    syncState: 'async',
  }),
].sort((a, b) => a.t - b.t);
const ledger: LedgerOp[] = [
  op('r1', 'invoke', 1000),
  op('r1', 'ok', 1100, { result: { reservationId: 'R1' } }),
  op('r2', 'invoke', 18_000),
  op('r2', 'ok', 18_500, { result: { reservationId: 'R2', partition: 4, offset: '77' } }),
  op('r3', 'invoke', 19_000),
  op('r3', 'ok', 19_400, { result: { reservationId: 'R3' } }),
  op('r4', 'invoke', 21_000),
  op('r4', 'unknown', 26_000, { error: 'timeout' }),
  op('r5', 'invoke', 22_000),
  op('f1', 'invoke', 2000, { kind: 'fare-update', key: 'sup:1', version: 3 }),
  op('f1', 'ok', 2100, { kind: 'fare-update', key: 'sup:1', version: 3 }),
  op('f2', 'invoke', 2200, { kind: 'fare-update', key: 'sup:2', version: 9 }),
  op('f2', 'ok', 2300, { kind: 'fare-update', key: 'sup:2' }),
];
const full: Readback = {
  at: '',
  reservations: {
    'k-r1': { count: 1, reservationId: 'R1' },
    'k-r2': { count: 1, reservationId: 'R2' },
    'k-r3': { count: 2, reservationId: 'R3' },
    'k-r4': { count: 1, reservationId: 'R4' },
  },
  fares: { 'sup:1': 4, 'sup:2': 9 },
};
// r2 and r3 lost; fare sup:2 only reached version 8.
const lossy: Readback = {
  at: '',
  reservations: { 'k-r1': { count: 1, reservationId: 'R1' } },
  fares: { 'sup:1': 3, 'sup:2': 8 },
};
const lost = row({ metric: 'rpo-lost-writes', objective: { op: '<=', value: 0 }, unit: 'count' });
const windowRow = row({ metric: 'rpo-window', objective: { op: '<=', value: 1 }, unit: 's' });
const dups = row({ metric: 'duplicates', objective: { op: '<=', value: 0 }, unit: 'count' });

describe('rpo', () => {
  it('passes when every acknowledged write is found; unknown ops are reported apart', () => {
    const v = judgeOne(runData({ history, ledger, readback: full }), lost);
    expect(v).toMatchObject({ verdict: 'pass', measured: 0 });
    expect(v.detail).toContain('2 unknown ops (1 found, 1 not)');
    expect(judgeOne(runData({ history, ledger, readback: full }), windowRow)).toMatchObject({
      verdict: 'pass',
      measured: 0,
    });
  });

  it('counts lost writes, with partition, offset, fault and leader', () => {
    const run = runData({ history, ledger, readback: lossy });
    expect(judgeOne(run, lost)).toMatchObject({ verdict: 'fail', measured: 3 });
    expect(judgeOne(run, { ...lost, params: { kind: 'fare-update' } })).toMatchObject({ measured: 1 });
    const res = judge(run, [lost], { now: 'T' });
    expect(res.lostWrites.find((w) => w.opId === 'r2')).toEqual({
      opId: 'r2',
      key: 'k-r2',
      kind: 'reservation',
      ackedAt: 18_500,
      partition: 4,
      offset: '77',
      leader: 'kafka:2',
    });
    expect(res.lostWrites.find((w) => w.opId === 'r3')?.leader).toBe('postgres:pg-a');
  });

  it('measures the window from the oldest lost acknowledgement to the fault start', () => {
    const v = judgeOne(runData({ history, ledger, readback: lossy }), {
      ...windowRow,
      params: { kind: 'reservation' },
    });
    expect(v).toMatchObject({ verdict: 'fail', measured: 1.5 });
    expect(v.detail).toContain('before f1');
  });

  it('reports duplicates', () => {
    expect(judgeOne(runData({ readback: full }), dups)).toMatchObject({ verdict: 'fail', measured: 1 });
    expect(judgeOne(runData({ readback: lossy }), dups)).toMatchObject({ verdict: 'pass', measured: 0 });
    expect(judge(runData({ readback: full, ledger }), [dups], { now: 'T' }).duplicates).toEqual([
      { key: 'k-r3', count: 2 },
    ]);
  });

  it('is unknown without ledger or read-back, or when an acknowledged write cannot be checked', () => {
    expect(judgeOne(runData({ history, ledger: null, readback: full }), lost).verdict).toBe('unknown');
    expect(judgeOne(runData({ history, ledger, readback: null }), windowRow).verdict).toBe('unknown');
    expect(judgeOne(runData({ readback: null }), dups).verdict).toBe('unknown');
    const unversioned = ledger.map((o) => (o.id === 'f2' ? { ...o, version: undefined } : o));
    expect(judgeOne(runData({ history, ledger: unversioned, readback: full }), lost).verdict).toBe('unknown');
  });
});
