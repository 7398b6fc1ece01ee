import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import type { Verdict } from '../../lib/run-format.ts';

/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** JSON safe to place inside a <script> element (no `</script>` or `<!--` can appear). */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replaceAll('<', '\\u003c')
    .replaceAll('\u2028', '\\u2028')
    .replaceAll('\u2029', '\\u2029');
}

/** Text label and symbol of a verdict, so nothing relies on colour alone. */
export function verdictLabel(v: Verdict): string {
  return v === 'pass' ? '✓ PASS' : v === 'fail' ? '✗ FAIL' : '? UNKNOWN';
}

/** Formats a number for a table: up to 3 decimals, `—` for null. */
export function fmt(v: number | null | undefined, unit = ''): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  const n = Math.abs(v) >= 100 ? Math.round(v).toString() : String(Math.round(v * 1000) / 1000);
  return unit ? `${n} ${unit}` : n;
}

let bundles: Promise<string> | null = null;

/**
 * vega, vega-lite and vega-embed UMD builds from node_modules, as inline <script> elements, so the
 * page renders offline. Their package exports hide build/, so the files are found next to each
 * package's resolved entry point.
 */
export function vegaScripts(): Promise<string> {
  bundles ??= (async () => {
    const require = createRequire(import.meta.url);
    const files = [
      join(dirname(require.resolve('vega')), 'vega.min.js'),
      join(dirname(require.resolve('vega-lite')), 'vega-lite.min.js'),
      join(dirname(require.resolve('vega-embed')), 'vega-embed.min.js'),
    ];
    const sources = await Promise.all(files.map((f) => readFile(f, 'utf8')));
    return sources.map((s) => `<script>${s.replaceAll('</script', '<\\/script')}</script>`).join('\n');
  })();
  return bundles;
}

const CSS = `
:root { --pass: #1b5e20; --fail: #b71c1c; --unknown: #8d6e00; --line: #cfd8dc; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #212121; margin: 0; }
main { max-width: 980px; margin: 0 auto; padding: 0 16px 48px; }
h1 { font-size: 22px; margin: 16px 0 4px; }
h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; font-size: 13px; }
th, td { border: 1px solid var(--line); padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #eceff1; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
.banner { padding: 14px 16px; margin: 12px 0; border: 3px solid; border-radius: 6px; font-size: 16px; }
.banner strong { font-size: 24px; margin-right: 12px; }
.banner.pass { border-color: var(--pass); background: #e8f5e9; }
.banner.fail { border-color: var(--fail); background: #ffebee; border-style: double; border-width: 5px; }
.banner.unknown { border-color: var(--unknown); background: #fff8e1; border-style: dashed; }
.state { font-weight: 600; white-space: nowrap; }
.state.pass { color: var(--pass); } .state.fail { color: var(--fail); } .state.unknown { color: var(--unknown); }
.chart { margin: 8px 0 16px; overflow-x: auto; min-height: 40px; }
.note { color: #546e7a; font-size: 13px; }
.warn { border-left: 4px solid var(--unknown); padding: 4px 8px; background: #fff8e1; }
nav { font-size: 13px; margin: 4px 0 8px; }
nav a { margin-right: 10px; }
details summary { cursor: pointer; }
@media print {
  nav, .vega-actions { display: none; }
  body { font-size: 11px; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; }
  .chart, table, .banner { break-inside: avoid; }
  .banner, th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  a { color: inherit; text-decoration: none; }
  details { display: block; } details > * { display: block; }
}
`;

/** Renders every chart container from the embedded specs; a chart that fails says so in its box. */
const CHART_SCRIPT = `
(function () {
  var specs = JSON.parse(document.getElementById('ws-chart-specs').textContent);
  Object.keys(specs).forEach(function (id) {
    var el = document.getElementById(id);
    vegaEmbed(el, specs[id], { actions: false, renderer: 'svg' }).catch(function (err) {
      el.textContent = 'chart could not be drawn: ' + err.message;
      console.error(err);
    });
  });
})();
`;

/** A chart container; its spec goes into the page's `charts` under the same id. */
export function chartBox(id: string, description: string): string {
  return `<div class="chart" id="${escapeHtml(id)}" role="img" aria-label="${escapeHtml(description)}"></div>`;
}

/** One self-contained HTML page: inline CSS, inline vega bundles, inline chart specs. */
export async function htmlPage(
  title: string,
  body: string,
  charts: Record<string, TopLevelSpec>,
): Promise<string> {
  const hasCharts = Object.keys(charts).length > 0;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
${body}
</main>
${hasCharts ? await vegaScripts() : ''}
${hasCharts ? `<script type="application/json" id="ws-chart-specs">${jsonForScript(charts)}</script>\n<script>${CHART_SCRIPT}</script>` : ''}
</body>
</html>
`;
}
