import { existsSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WindshearError } from '../lib/errors.ts';
import { INDEX_BODY } from '../system/catalogue/search-index.ts';
import { loadSloTables, parseSloTableText, REPO_ROOT, sloIndex } from './load-slo.ts';

const SEEDS_DIR = process.env.WINDSHEAR_SEEDS_DIR ?? resolve(REPO_ROOT, '../shared/seeds');
const DESIGN = resolve(SEEDS_DIR, '../design/architecture.md');

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('SLO tables', () => {
  it('load, with every objective the seeds state', async () => {
    const index = sloIndex(await loadSloTables());
    // [id, op, value, unit, seed prefix, scaled]
    const expected: [string, string, number, string, string, boolean][] = [
      ['search.latency.p95', '<=', 40, 'ms', '000_', false],
      ['search.latency.p50', '<=', 25, 'ms', '000_', false],
      ['search.cache-hit-ratio', '>=', 70, '%', '000_', false],
      ['price.latency.p95', '<=', 250, 'ms', '000_', false],
      ['stream.consumer-lag.p95', '<', 5, 's', '000_', false],
      ['ingest.lag', '<', 30, 's', '000_', false],
      ['search.index-refresh', '<=', 1, 's', '000_', false],
      ['redis.promotion', '<=', 15, 's', '000_', false],
      ['stream.recovery', '<', 30, 's', '000_', false],
      ['search.cluster-green', '<', 900, 's', '000_', false],
      ['kafka.leader-failover', '<', 10, 's', '002_', false],
      ['postgres.failover', '<', 30, 's', '003_', false],
      ['redis.failover', '<', 60, 's', '003_', false],
      ['rto.single-component', '<', 300, 's', '002_', false],
      ['rpo.single-component', '<=', 0, 'count', '002_', false],
      ['rto.az', '<', 900, 's', '002_', false],
      ['rpo.az', '<', 60, 's', '002_', false],
      ['capacity.ops-20k', '>=', 20000, 'ops/s', '001_', true],
      ['capacity.api-peak', '>=', 5000, 'req/s', '004_', true],
      ['availability', '>=', 99.9, '%', '002_', false],
      ['bookings.no-overbooking', '<=', 0, 'count', '004_', false],
      ['reservations.duplicates', '<=', 0, 'count', '001_', false],
      ['loadgen.dropped-iterations', '<=', 0, 'count', 'architecture.md', false],
    ];
    for (const [id, op, value, unit, seed, scaled] of expected) {
      const row = index.get(id);
      expect(row, id).toBeDefined();
      expect({ id, op: row?.objective.op, value: row?.objective.value, unit: row?.unit }).toEqual({
        id,
        op,
        value,
        unit,
      });
      expect(row?.source.seed.startsWith(seed), `${id} cites ${row?.source.seed}`).toBe(true);
      expect(row?.scaled ?? false, `${id} scaled`).toBe(scaled);
    }
  });

  it('explains every bound it had to choose', async () => {
    const index = sloIndex(await loadSloTables());
    expect(index.get('redis.promotion')?.note).toMatch(/≈ 10 s/);
    expect(index.get('availability')?.note).toMatch(/steady/);
    const green = index.get('search.cluster-green');
    expect(green?.params?.what).toBe('search-green');
    expect(green?.objective.value).toBe(index.get('rto.az')?.objective.value);
    expect(green?.note).toMatch(/yellow/);
    // The note quotes the index's delayed allocation; it must change with it.
    const delay = INDEX_BODY.settings['unassigned.node_left.delayed_timeout'].replace(/s$/, ' s');
    expect(green?.note).toContain(`delayed_timeout is ${delay}`);
  });

  // Quotes are checked against the seeds themselves wherever the seeds are checked out beside the repo.
  describe.skipIf(!existsSync(SEEDS_DIR))('quotes', () => {
    // Seeds use narrow no-break spaces and non-breaking hyphens; quotes use plain ones.
    const fold = (s: string) => s.replace(/[\u2010\u2011]/g, '-').replace(/\s+/g, ' ');
    const text = (seed: string) =>
      fold(readFileSync(seed === 'architecture.md' ? DESIGN : join(SEEDS_DIR, seed), 'utf8'));

    it('every row quotes its seed: table is a heading, row fragments appear in order', async () => {
      for (const t of await loadSloTables()) {
        for (const row of t.rows) {
          const doc = text(row.source.seed);
          const headings = doc.split(/ (?=#+ )/).map((h) => h.replace(/^#+ /, ''));
          expect(
            headings.some((h) => h.startsWith(fold(row.source.table))),
            `${row.id}: "${row.source.table}" is a heading of ${row.source.seed}`,
          ).toBe(true);
          let at = 0;
          for (const fragment of fold(row.source.row).split(' … ')) {
            const found = doc.indexOf(fragment, at);
            expect(found, `${row.id}: "${fragment}" in ${row.source.seed}`).toBeGreaterThanOrEqual(0);
            if (at > 0) expect(found - at, `${row.id}: fragments close together`).toBeLessThan(800);
            at = found + fragment.length;
          }
        }
      }
    });
  });

  it('reports every problem of a broken table with lines and paths', () => {
    const text = readFileSync(join(import.meta.dirname, 'fixtures', 'slo', 'broken-table.yaml'), 'utf8');
    const { table, problems } = parseSloTableText(text, 'broken-table.yaml');
    expect(table).toBeNull();
    const got = problems.map((p) => `${p.line} ${p.path} ${p.code}`);
    expect(got).toEqual([
      '4 rows[0].metric slo-schema',
      '7 rows[0].unit slo-schema',
      '10 rows[1].source slo-schema',
      '13 rows[1].unit slo-unit',
      '14 rows[1].window slo-schema',
      '19 rows[2].params slo-params',
      '22 rows[2].scaled slo-scaled',
      '23 rows[2].source.seed slo-schema',
      '25 rows[2].sauce slo-schema',
      '26 rows[3].id duplicate-id',
    ]);
    expect(problems.find((p) => p.path === 'rows[0].metric')?.fix).toMatch(/did you mean "latency"/);
    expect(problems.find((p) => p.path === 'rows[2].sauce')?.fix).toMatch(/did you mean "source"/);
  });

  it('rejects an id defined in two tables', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ws-slo-'));
    dirs.push(dir);
    const row = (seed: string) =>
      `rows:\n  - id: same.row\n    title: t\n    metric: duplicates\n    objective: { op: '<=', value: 0 }\n    unit: count\n    window: run\n    source: { seed: ${seed}, table: T, row: R }\n`;
    await writeFile(join(dir, 'a.yaml'), row('000_7ae5c9fc6e99809f.txt'));
    await writeFile(join(dir, 'b.yaml'), row('001_4ae37b3579e37350.txt'));
    const err = await loadSloTables(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WindshearError);
    expect((err as WindshearError).problems.map((p) => p.code)).toEqual(['duplicate-id']);
    expect((err as WindshearError).exitCode).toBe(254);
  });
});
