import type { LedgerOp, LedgerOpKind, Readback, RunMs } from '../../lib/run-format.ts';

/**
 * The live summary of a ledger against a read-back (the formal RPO checker is reports/checks).
 *   lost        acknowledged (`ok`) writes the store does not hold: a reservation whose key is
 *               missing, a fare update whose version is above the highest version stored.
 *   duplicates  reservation keys stored more than once.
 *   unknown     how the indeterminate writes ended: applied, not applied, or (fares) superseded by
 *               a higher version so it cannot be told.
 *   failedButApplied  writes reported `fail` that the store holds anyway.
 */
export interface KindCounts {
  invoked: number;
  ok: number;
  fail: number;
  unknown: number;
  /** Invoked without a completion (the client was stopped mid-write). */
  incomplete: number;
}

export interface LostOp {
  id: string;
  kind: LedgerOpKind;
  key: string;
  version?: number;
  /** When the acknowledgement arrived. */
  ackedAt: RunMs;
  /** Fares: highest version stored (null when the key is missing). */
  found?: number | null;
}

export interface LedgerSummary {
  reservations: KindCounts;
  fareUpdates: KindCounts;
  lost: LostOp[];
  duplicates: { key: string; count: number }[];
  unknown: { applied: string[]; notApplied: string[]; superseded: string[] };
  failedButApplied: string[];
}

type Fate = 'applied' | 'notApplied' | 'superseded';

function fateOf(op: LedgerOp, rb: Readback): Fate {
  if (op.kind === 'reservation') return rb.reservations[op.key] ? 'applied' : 'notApplied';
  const found = rb.fares[op.key];
  const v = op.version ?? 0;
  if (found === undefined || found < v) return 'notApplied';
  return found === v ? 'applied' : 'superseded';
}

export function summariseLedger(ops: LedgerOp[], readback: Readback): LedgerSummary {
  const counts = (): KindCounts => ({ invoked: 0, ok: 0, fail: 0, unknown: 0, incomplete: 0 });
  const byKind: Record<LedgerOpKind, KindCounts> = { reservation: counts(), 'fare-update': counts() };
  const invokes = new Map<string, LedgerOp>();
  const completed = new Set<string>();
  const s: LedgerSummary = {
    reservations: byKind.reservation,
    fareUpdates: byKind['fare-update'],
    lost: [],
    duplicates: [],
    unknown: { applied: [], notApplied: [], superseded: [] },
    failedButApplied: [],
  };

  for (const op of ops) {
    const c = byKind[op.kind];
    if (op.type === 'invoke') {
      c.invoked++;
      invokes.set(op.id, op);
      continue;
    }
    if (completed.has(op.id)) continue;
    completed.add(op.id);
    c[op.type]++;
    const fate = fateOf(op, readback);
    if (op.type === 'ok' && fate === 'notApplied') {
      const lost: LostOp = { id: op.id, kind: op.kind, key: op.key, ackedAt: op.t };
      if (op.version !== undefined) lost.version = op.version;
      if (op.kind === 'fare-update') lost.found = readback.fares[op.key] ?? null;
      s.lost.push(lost);
    } else if (op.type === 'unknown') {
      s.unknown[fate].push(op.id);
    } else if (op.type === 'fail' && fate === 'applied') {
      s.failedButApplied.push(op.id);
    }
  }
  for (const [id, op] of invokes) if (!completed.has(id)) byKind[op.kind].incomplete++;

  const keys = new Set(ops.filter((o) => o.kind === 'reservation').map((o) => o.key));
  for (const [key, r] of Object.entries(readback.reservations))
    if (keys.has(key) && r.count > 1) s.duplicates.push({ key, count: r.count });
  s.lost.sort((a, b) => a.ackedAt - b.ackedAt);
  return s;
}

/** Human-readable lines for the CLI and summary.md. */
export function formatLedgerSummary(s: LedgerSummary): string[] {
  const line = (name: string, c: KindCounts) =>
    `${name}: ${c.invoked} invoked, ${c.ok} ok, ${c.fail} fail, ${c.unknown} unknown` +
    (c.incomplete ? `, ${c.incomplete} incomplete` : '');
  const out = [line('reservations', s.reservations), line('fare updates', s.fareUpdates)];
  out.push(
    s.lost.length === 0
      ? 'acknowledged writes lost: 0'
      : `acknowledged writes lost: ${s.lost.length} (first ${s.lost
          .slice(0, 5)
          .map((l) => l.key + (l.version !== undefined ? `@${l.version}` : ''))
          .join(', ')})`,
  );
  out.push(`duplicates: ${s.duplicates.length}`);
  const u = s.unknown;
  out.push(
    `unknown outcomes: ${u.applied.length} applied, ${u.notApplied.length} not applied, ${u.superseded.length} superseded`,
  );
  if (s.failedButApplied.length) out.push(`reported failed but stored: ${s.failedButApplied.length}`);
  return out;
}
