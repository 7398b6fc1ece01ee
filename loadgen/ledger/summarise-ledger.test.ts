import { describe, expect, it } from 'vitest';
import type { LedgerOp, Readback } from '../../lib/run-format.ts';
import { formatLedgerSummary, summariseLedger } from './summarise-ledger.ts';

const wall = '2026-01-01T00:00:00.000Z';
function res(id: string, type: LedgerOp['type'], t: number): LedgerOp[] {
  return [
    { id, kind: 'reservation', type: 'invoke', t: t - 1, wall, key: `k-${id}` },
    { id, kind: 'reservation', type, t, wall, key: `k-${id}` },
  ];
}
function fare(id: string, type: LedgerOp['type'], version: number, t: number): LedgerOp[] {
  return [
    { id, kind: 'fare-update', type: 'invoke', t: t - 1, wall, key: 's:o1', version },
    { id, kind: 'fare-update', type, t, wall, key: 's:o1', version },
  ];
}
const full = (keys: string[], fares: Record<string, number> = {}): Readback => ({
  at: wall,
  reservations: Object.fromEntries(keys.map((k) => [k, { count: 1, reservationId: `r-${k}` }])),
  fares,
});

describe('summariseLedger', () => {
  const ops = [...res('a', 'ok', 10), ...res('b', 'ok', 20), ...res('c', 'ok', 30)];

  it('reports nothing lost when every acknowledged write is stored', () => {
    const s = summariseLedger(ops, full(['k-a', 'k-b', 'k-c']));
    expect(s.lost).toEqual([]);
    expect(s.reservations).toEqual({ invoked: 3, ok: 3, fail: 0, unknown: 0, incomplete: 0 });
  });

  it('a readback with one row deleted reports exactly that write as lost', () => {
    const s = summariseLedger(ops, full(['k-a', 'k-c']));
    expect(s.lost).toEqual([{ id: 'b', kind: 'reservation', key: 'k-b', ackedAt: 20 }]);
    expect(formatLedgerSummary(s)).toContain('acknowledged writes lost: 1 (first k-b)');
  });

  it('a fare version below the acknowledged one is lost; a higher one is not', () => {
    const f = [...fare('f1', 'ok', 1, 5), ...fare('f2', 'ok', 2, 6)];
    expect(summariseLedger(f, full([], { 's:o1': 2 })).lost).toEqual([]);
    const lost = summariseLedger(f, full([], { 's:o1': 1 })).lost;
    expect(lost).toEqual([{ id: 'f2', kind: 'fare-update', key: 's:o1', version: 2, ackedAt: 6, found: 1 }]);
    expect(summariseLedger(f, full([])).lost.map((l) => l.id)).toEqual(['f1', 'f2']);
  });

  it('says how unknown writes ended and finds duplicates and failed-but-stored', () => {
    const o = [
      ...res('u1', 'unknown', 1),
      ...res('u2', 'unknown', 2),
      ...res('x', 'fail', 3),
      ...fare('f1', 'unknown', 1, 4),
      ...fare('f2', 'unknown', 2, 5),
      { id: 'open', kind: 'reservation', type: 'invoke', t: 9, wall, key: 'k-open' } satisfies LedgerOp,
    ];
    const rb = full(['k-u1', 'k-x'], { 's:o1': 2 });
    rb.reservations['k-u1'] = { count: 2, reservationId: 'r1' };
    const s = summariseLedger(o, rb);
    expect(s.unknown).toEqual({ applied: ['u1', 'f2'], notApplied: ['u2'], superseded: ['f1'] });
    expect(s.duplicates).toEqual([{ key: 'k-u1', count: 2 }]);
    expect(s.failedButApplied).toEqual(['x']);
    expect(s.reservations.incomplete).toBe(1);
    expect(s.lost).toEqual([]);
  });
});
