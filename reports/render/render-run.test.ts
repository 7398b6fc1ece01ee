import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT, WindshearError } from '../../lib/errors.ts';
import type { RunResults } from '../../lib/run-format.ts';
import { renderRun } from './render-run.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures');
let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'ws-render-run-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Renders a copy of a fixture (optionally with edited results) and returns its outputs. */
async function render(fixture: string, edit?: (r: RunResults) => void) {
  const dir = join(work, `${fixture}-${Math.random().toString(36).slice(2)}`);
  await cp(join(FIXTURES, fixture), dir, { recursive: true });
  if (edit) {
    const file = join(dir, 'results.json');
    const r = JSON.parse(await readFile(file, 'utf8')) as RunResults;
    edit(r);
    await writeFile(file, JSON.stringify(r));
  }
  const { files } = await renderRun(dir);
  const read = (f: string) => readFile(join(dir, f), 'utf8');
  return {
    dir,
    files,
    html: await read('report.html'),
    junit: await read('junit.xml'),
    summary: await read('summary.md'),
  };
}

function sloStates(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<tr data-slo-id="([^"]+)" data-verdict="([^"]+)">/g)) out[m[1]!] = m[2]!;
  return out;
}

function banner(html: string): string {
  return /<div class="banner (\w+)"[^>]*><strong>([^<]+)<\/strong>/.exec(html)?.slice(1).join(' ') ?? '';
}

describe('renderRun', () => {
  it('writes report.html, junit.xml and summary.md into the run directory', async () => {
    const { dir, files } = await render('passing');
    expect(files).toEqual(['junit.xml', 'summary.md', 'report.html'].map((f) => join(dir, f)));
  });

  it('shows a PASS banner and every SLO row as passed for the passing run', async () => {
    const { html } = await render('passing');
    expect(banner(html)).toBe('pass ✓ PASS');
    expect(sloStates(html)).toEqual({
      'search.latency.p95': 'pass',
      'pricing.consumer-lag.peak': 'pass',
      'kafka.rto': 'pass',
      'reservations.rpo.lost': 'pass',
      'loadgen.validity': 'pass',
    });
    expect(html).toContain('002_920aa819962ac4a9.txt');
  });

  it('shows FAIL and which row failed for the failed run', async () => {
    const { html, summary } = await render('failed-slo');
    expect(banner(html)).toBe('fail ✗ FAIL');
    expect(html).toContain('Failed: search.latency.p95.');
    expect(sloStates(html)['search.latency.p95']).toBe('fail');
    expect(sloStates(html)['pg.writable']).toBe('pass');
    expect(summary.split('\n')[0]).toBe('### windshear `pg-failover`: ✗ FAIL');
    expect(summary).toMatch(/\| ✗ FAIL \| `search\.latency\.p95` .* \| 412 ms \| <= 250 ms \| -162 ms \|/);
  });

  it('shows UNKNOWN with the reason for the run whose load generator fell behind', async () => {
    const { html } = await render('unknown-load');
    expect(banner(html)).toBe('unknown ? UNKNOWN');
    expect(sloStates(html)['loadgen.validity']).toBe('unknown');
    expect(html).toContain('k6 dropped 300 iterations');
  });

  it('lists the lost write ids', async () => {
    const { html, summary } = await render('lost-writes');
    const lost = [...html.matchAll(/data-lost-op="([^"]+)"/g)].map((m) => m[1]);
    expect(lost).toEqual(['op-003', 'op-004', 'op-006']);
    expect(html).toContain('3 acknowledged write(s) lost');
    expect(summary).toContain('**Lost acknowledged writes: 3** (`op-003`, `op-004`, `op-006`)');
  });

  it('marks the knee (first failing step) of the capacity curve in the table and the chart', async () => {
    const { html } = await render('capacity');
    expect(html).toMatch(/<tr class="knee"><td class="num">500 req\/s<\/td>/);
    expect(html.match(/class="knee"/g)).toHaveLength(1);
    expect(html).toContain('Knee: <strong>500 req/s, the first step that did not pass</strong>');
    expect(html).toContain('"label":"knee: 500 req/s (first failing step)"');
    expect(html).toContain('id="chart-capacity-0"');
  });

  it('states when a capacity run never reached the knee, and tolerates steps without a p95', async () => {
    const { html } = await render('capacity', (r) => {
      const ev = r.slos[0]!.evidence as { knee: number | null; steps: { p95Ms: number | null }[] };
      ev.knee = null;
      ev.steps[5]!.p95Ms = null;
    });
    expect(html).toContain('Knee: <strong>not reached — every step passed</strong>');
    expect(html).not.toContain('class="knee"');
    expect(html).toContain('id="chart-capacity-0"');
  });

  it('fetches nothing from the network: no remote src/href, no external scripts or styles', async () => {
    for (const fixture of ['passing', 'failed-slo', 'capacity']) {
      const { html } = await render(fixture);
      expect(html).not.toMatch(/\b(?:src|href)\s*=\s*["']?\s*(?:[a-z]+:)?\/\//i);
      expect(html).not.toMatch(/<script[^>]*\bsrc=/i);
      expect(html).not.toMatch(/<link[^>]*rel=["']?stylesheet/i);
      // Links in the page's own markup (the inlined bundles' code mentions href="#").
      const markup = html.replace(/<script\b[^>]*>[\s\S]*?<\/script>/g, '');
      const hrefs = [...markup.matchAll(/\bhref="([^"]*)"/g)].map((m) => m[1]!);
      for (const h of hrefs) expect(h).toMatch(/^(#[\w-]+|[\w.-]+)$/);
      expect(hrefs).toContain('history.jsonl');
    }
  });

  it('escapes text from the run, also inside chart data', async () => {
    const evil = '<img src=x onerror=alert(1)></script><script>alert(2)</script>';
    const { html } = await render('lost-writes', (r) => {
      r.slos[0]!.title = evil;
      r.slos[0]!.detail = evil;
      r.faults[0]!.fault = evil;
      r.lostWrites[0]!.key = evil;
    });
    // The capacity chart's title carries the SLO title into the embedded chart specs.
    const capacity = await render('capacity', (r) => {
      r.slos[0]!.title = evil;
    });
    for (const page of [html, capacity.html]) {
      expect(page).not.toContain('<img src=x');
      expect(page).not.toContain('<script>alert');
      expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
      // The inlined vega bundles contain no closing tag, so every </script> closes one of ours.
      const opened = page.match(/<script\b/g)?.length ?? 0;
      expect(page.match(/<\/script>/g)?.length).toBe(opened);
    }
    expect(capacity.html).toContain('\\u003cimg src=x');
  });

  it('is a pure function of the run directory: rendering twice gives the same bytes', async () => {
    const a = await render('failed-slo');
    const b = await render('failed-slo');
    expect(a.html.replaceAll(a.dir, '')).toBe(b.html.replaceAll(b.dir, ''));
    expect(a.junit).toBe(b.junit);
  });

  it('refuses a missing directory and an unjudged run as bad input that names the next step', async () => {
    const missing = join(work, 'nope');
    const err = await renderRun(missing).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WindshearError);
    expect((err as WindshearError).exitCode).toBe(EXIT.badInput);
    expect((err as WindshearError).message).toContain(missing);

    const unjudged = join(work, 'unjudged');
    await cp(join(FIXTURES, 'passing'), unjudged, { recursive: true });
    await rm(join(unjudged, 'results.json'));
    const err2 = (await renderRun(unjudged).catch((e: unknown) => e)) as WindshearError;
    expect(err2.problems[0]?.code).toBe('run-results-missing');
    expect(err2.problems[0]?.fix).toContain(`windshear check ${unjudged}`);
  });

  it('still renders when optional files are missing, and says which', async () => {
    const dir = join(work, 'sparse');
    await cp(join(FIXTURES, 'passing'), dir, { recursive: true });
    await rm(join(dir, 'metrics.jsonl'));
    await writeFile(
      join(dir, 'history.jsonl'),
      '{"t":0,"wall":"x","kind":"phase","phase":"baseline"}\n{"t":1,',
    );
    await renderRun(dir);
    const html = await readFile(join(dir, 'report.html'), 'utf8');
    // One rule (lib/run-store): a missing file is "not recorded", a bad line a warning.
    expect(html).toContain('metrics.jsonl: not recorded.');
    expect(html).toContain('history.jsonl: skipped 1 unparsable line(s), first at line 2');
  });
});
