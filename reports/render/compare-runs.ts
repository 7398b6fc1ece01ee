import type { RunResults, Verdict } from '../../lib/run-format.ts';
import { fmt } from './html-page.ts';
import { loadResults } from './load-run.ts';

export interface Side {
  verdict: Verdict;
  measured: number | null;
}

export interface RunComparison {
  a: { dir: string; scenario: string; verdict: Verdict; judgedAt: string };
  b: { dir: string; scenario: string; verdict: Verdict; judgedAt: string };
  /** One row per SLO id in either run; a side is null when that run has no such row. */
  slos: { id: string; title: string; unit: string; a: Side | null; b: Side | null; delta: number | null }[];
  /** RTO per fault id in seconds, null when not measured or not recovered. */
  faults: { faultId: string; aRtoSec: number | null; bRtoSec: number | null }[];
  lostWrites: { a: number; b: number };
}

/** Side-by-side data of two judged runs; delta is b − a in the row's unit. */
export async function compareRunsData(a: string, b: string): Promise<RunComparison> {
  const [ra, rb] = await Promise.all([loadResults(a), loadResults(b)]);
  const ids = [...new Set([...ra.slos.map((s) => s.id), ...rb.slos.map((s) => s.id)])];
  const side = (r: RunResults, id: string): Side | null => {
    const s = r.slos.find((x) => x.id === id);
    return s ? { verdict: s.verdict, measured: s.measured } : null;
  };
  const faultIds = [...new Set([...ra.faults.map((f) => f.faultId), ...rb.faults.map((f) => f.faultId)])];
  const rto = (r: RunResults, id: string) => {
    const ms = r.faults.find((f) => f.faultId === id)?.rtoMs;
    return ms === undefined || ms === null ? null : ms / 1000;
  };
  const head = (dir: string, r: RunResults) => ({
    dir,
    scenario: r.scenario,
    verdict: r.verdict,
    judgedAt: r.judgedAt,
  });
  return {
    a: head(a, ra),
    b: head(b, rb),
    slos: ids.map((id) => {
      const def = ra.slos.find((s) => s.id === id) ?? rb.slos.find((s) => s.id === id)!;
      const sa = side(ra, id);
      const sb = side(rb, id);
      const delta = sa?.measured != null && sb?.measured != null ? round(sb.measured - sa.measured) : null;
      return { id, title: def.title, unit: def.unit, a: sa, b: sb, delta };
    }),
    faults: faultIds.map((faultId) => ({ faultId, aRtoSec: rto(ra, faultId), bRtoSec: rto(rb, faultId) })),
    lostWrites: { a: ra.lostWrites.length, b: rb.lostWrites.length },
  };
}

/** Two judged runs side by side: a plain-text table, or with `json` the RunComparison as JSON. */
export async function compareRuns(a: string, b: string, opts: { json?: boolean } = {}): Promise<string> {
  const c = await compareRunsData(a, b);
  if (opts.json) return `${JSON.stringify(c, null, 2)}\n`;
  const cell = (s: Side | null, unit: string) =>
    s ? `${s.verdict.toUpperCase()} ${fmt(s.measured, unit)}` : '(no row)';
  const rows: string[][] = [
    ['', 'A', 'B', 'B − A'],
    ['run', c.a.dir, c.b.dir, ''],
    [
      'verdict',
      c.a.verdict.toUpperCase(),
      c.b.verdict.toUpperCase(),
      c.a.verdict === c.b.verdict ? 'same' : 'changed',
    ],
    ...c.slos.map((s) => [
      s.id,
      cell(s.a, s.unit),
      cell(s.b, s.unit),
      s.delta === null ? '' : signed(s.delta, s.unit),
    ]),
    ...c.faults.map((f) => [
      `RTO ${f.faultId}`,
      fmt(f.aRtoSec, 's'),
      fmt(f.bRtoSec, 's'),
      f.aRtoSec !== null && f.bRtoSec !== null ? signed(round(f.bRtoSec - f.aRtoSec), 's') : '',
    ]),
    [
      'lost writes',
      String(c.lostWrites.a),
      String(c.lostWrites.b),
      signed(c.lostWrites.b - c.lostWrites.a, ''),
    ],
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return `${[line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n')}\n`;
}

function signed(v: number, unit: string): string {
  return `${v > 0 ? '+' : ''}${fmt(v, unit)}`;
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
