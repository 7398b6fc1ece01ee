import { readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { badInput, WindshearError } from '../../lib/errors.ts';
import type { RunResults, Verdict } from '../../lib/run-format.ts';
import { hasRunFile } from '../../lib/run-store/read-run.ts';
import { RUN_FILES } from '../../lib/run-store/run-files.ts';
import { chartBox, escapeHtml as e, fmt, htmlPage, verdictLabel } from './html-page.ts';
import { loadResults } from './load-run.ts';
import { capacityEvidence } from './series.ts';
import { type Better, judgeRegression } from './trend-rule.ts';

/** One flagged point: a run whose value is worse than its predecessors' noise allows (trend-rule.ts). */
export interface Regression {
  scenario: string;
  /** Run directory name (the UTC stamp). */
  run: string;
  series: string;
  unit: string;
  better: Better;
  value: number;
  median: number;
  mad: number;
  limit: number;
  /** True when `run` is the newest run of its scenario. */
  latest: boolean;
}

interface TrendRun {
  stamp: string;
  results: RunResults;
  hasReport: boolean;
}

interface SeriesPoint {
  run: string;
  value: number;
  verdict: Verdict;
  state: 'ok' | 'REGRESSION' | 'no baseline' | 'not judged';
}

interface Series {
  key: string;
  title: string;
  unit: string;
  better: Better;
  points: SeriesPoint[];
  regressions: Regression[];
}

/**
 * Writes `<runsDir>/index.html` comparing the runs of each scenario over time
 * (`<runsDir>/<scenario>/<stamp>/results.json`, stamps sorted as text) and returns the
 * regressions the rule in trend-rule.ts flags, for every run.
 */
export async function renderTrend(runsDir: string): Promise<{ file: string; regressions: Regression[] }> {
  const isDir = await stat(runsDir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir) {
    throw badInput(
      'runs-dir-missing',
      `${runsDir} is not a folder of runs`,
      'pass the folder that holds <scenario>/<stamp>/ run directories (by default reports/runs), or run `windshear run-scenario <name>` first',
    );
  }
  const warnings: string[] = [];
  const scenarios = await collect(runsDir, warnings);
  const charts: Record<string, TopLevelSpec> = {};
  const regressions: Regression[] = [];
  const sections: string[] = [];
  let chartNo = 0;
  for (const [scenario, runs] of scenarios) {
    const series = seriesOf(scenario, runs);
    for (const s of series) regressions.push(...s.regressions);
    const boxes = series
      .filter((s) => s.points.length >= 2)
      .map((s) => {
        const id = `chart-trend-${chartNo++}`;
        charts[id] = trendChart(s);
        return chartBox(id, `${s.title} per run of ${scenario}`);
      });
    sections.push(scenarioSection(scenario, runs, series, boxes));
  }
  const flaggedLatest = regressions.filter((r) => r.latest);
  const body = `<h1>windshear trends</h1>
<div class="banner ${flaggedLatest.length > 0 ? 'fail' : 'pass'}" role="status" id="verdict"><strong>${flaggedLatest.length > 0 ? `✗ ${flaggedLatest.length} REGRESSION(S)` : '✓ NO REGRESSION'}</strong>
in the newest run of ${scenarios.size} scenario(s); ${regressions.length} flagged point(s) over all runs.</div>
<p class="note">A value is flagged when it is worse than the median of up to 10 earlier judged (not unknown) runs by more
than 3 × max(1.4826 × MAD, 5 % of the median), with at least 3 earlier runs. ▲ marks a flagged point.</p>
${scenarios.size === 0 ? `<p>No runs with results.json under <code>${e(runsDir)}</code>.</p>` : ''}
${sections.join('\n')}
${warnings.length > 0 ? `<h2>Warnings</h2><ul>${warnings.map((w) => `<li class="warn">${e(w)}</li>`).join('')}</ul>` : ''}`;
  const file = join(runsDir, 'index.html');
  await writeFile(file, await htmlPage('windshear trends', body, charts));
  return { file, regressions };
}

async function collect(runsDir: string, warnings: string[]): Promise<Map<string, TrendRun[]>> {
  const out = new Map<string, TrendRun[]>();
  for (const scenario of (await subdirs(runsDir)).sort()) {
    const runs: TrendRun[] = [];
    for (const stamp of (await subdirs(join(runsDir, scenario))).sort()) {
      const dir = join(runsDir, scenario, stamp);
      try {
        const results = await loadResults(dir);
        const hasReport = await hasRunFile(dir, RUN_FILES.report);
        runs.push({ stamp, results, hasReport });
      } catch (err) {
        if (!(err instanceof WindshearError)) throw err;
        warnings.push(`${scenario}/${stamp} skipped: ${err.message}`);
      }
    }
    if (runs.length > 0) out.set(scenario, runs);
  }
  return out;
}

async function subdirs(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries.filter((d) => d.isDirectory()).map((d) => d.name);
}

/** The series a run contributes: every measured SLO row, the worst RTO, lost writes, capacity knees. */
function valuesOf(
  r: RunResults,
): { key: string; title: string; unit: string; better: Better; value: number }[] {
  const out: { key: string; title: string; unit: string; better: Better; value: number }[] = [];
  for (const s of r.slos) {
    if (s.measured !== null) {
      const better: Better = s.objective.op === '<' || s.objective.op === '<=' ? 'lower' : 'higher';
      out.push({
        key: `slo:${s.id}`,
        title: `${s.id} (${s.title})`,
        unit: s.unit,
        better,
        value: s.measured,
      });
    }
    const cap = capacityEvidence(s);
    if (cap?.knee != null) {
      out.push({
        key: `knee:${s.id}`,
        title: `capacity knee of ${s.id}`,
        unit: 'req/s',
        better: 'higher',
        value: cap.knee,
      });
    }
  }
  const rtos = r.faults.map((f) => f.rtoMs);
  if (rtos.length > 0 && rtos.every((v) => v !== null)) {
    out.push({
      key: 'rto:max',
      title: 'worst RTO over the faults',
      unit: 's',
      better: 'lower',
      value: Math.max(...rtos) / 1000,
    });
  }
  out.push({
    key: 'rpo:lost',
    title: 'acknowledged writes lost',
    unit: 'count',
    better: 'lower',
    value: r.lostWrites.length,
  });
  return out;
}

function seriesOf(scenario: string, runs: TrendRun[]): Series[] {
  const byKey = new Map<string, Series>();
  const earlier = new Map<string, number[]>();
  runs.forEach((run, i) => {
    for (const v of valuesOf(run.results)) {
      let s = byKey.get(v.key);
      if (!s) {
        s = { key: v.key, title: v.title, unit: v.unit, better: v.better, points: [], regressions: [] };
        byKey.set(v.key, s);
      }
      const history = earlier.get(v.key) ?? [];
      const judged = run.results.verdict === 'unknown' ? null : judgeRegression(v.value, history, v.better);
      const state =
        run.results.verdict === 'unknown'
          ? 'not judged'
          : judged === null
            ? 'no baseline'
            : judged.regressed
              ? 'REGRESSION'
              : 'ok';
      s.points.push({ run: run.stamp, value: v.value, verdict: run.results.verdict, state });
      if (judged?.regressed) {
        s.regressions.push({
          scenario,
          run: run.stamp,
          series: v.key,
          unit: v.unit,
          better: v.better,
          value: v.value,
          median: judged.median,
          mad: judged.mad,
          limit: judged.limit,
          latest: i === runs.length - 1,
        });
      }
      if (run.results.verdict !== 'unknown') earlier.set(v.key, [...history, v.value]);
    }
  });
  return [...byKey.values()];
}

function trendChart(s: Series): TopLevelSpec {
  const values = s.points.map((p) => ({ ...p, mark: p.state === 'REGRESSION' ? '▲ REGRESSION' : '' }));
  const x = {
    field: 'run',
    type: 'ordinal' as const,
    title: 'run (UTC stamp)',
    sort: null,
    axis: { labelAngle: -30 },
  };
  const y = { field: 'value', type: 'quantitative' as const, title: `${s.unit} (${s.better} is better)` };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: s.title,
    width: 820,
    height: 140,
    data: { values },
    config: { legend: { orient: 'top', direction: 'horizontal' } },
    layer: [
      { mark: { type: 'line', color: '#616161' }, encoding: { x, y } },
      {
        mark: { type: 'point', filled: true, size: 70 },
        encoding: {
          x,
          y,
          shape: {
            field: 'state',
            type: 'nominal',
            title: 'point',
            scale: {
              domain: ['ok', 'REGRESSION', 'no baseline', 'not judged'],
              range: ['circle', 'triangle-up', 'square', 'cross'],
            },
          },
          color: {
            field: 'state',
            type: 'nominal',
            title: 'point',
            scale: {
              domain: ['ok', 'REGRESSION', 'no baseline', 'not judged'],
              range: ['#1b5e20', '#b71c1c', '#607d8b', '#8d6e00'],
            },
          },
          tooltip: [{ field: 'run' }, { field: 'value' }, { field: 'verdict' }, { field: 'state' }],
        },
      },
      {
        mark: { type: 'text', dy: -12, fontSize: 10, fontWeight: 'bold' },
        encoding: { x, y, text: { field: 'mark' } },
      },
    ],
  };
}

function scenarioSection(scenario: string, runs: TrendRun[], series: Series[], boxes: string[]): string {
  const runRows = runs.map((run) => {
    const r = run.results;
    const link = run.hasReport
      ? `<a href="${e(`${scenario}/${run.stamp}/${RUN_FILES.report}`)}">${e(run.stamp)}</a>`
      : `<code>${e(run.stamp)}</code>`;
    return `<tr><td>${link}</td><td><span class="state ${r.verdict}">${verdictLabel(r.verdict)}</span></td>
<td class="num">${r.slos.filter((s) => s.verdict === 'fail').length}</td><td class="num">${r.lostWrites.length}</td><td>${e(r.judgedAt)}</td></tr>`;
  });
  const seriesRows = series.map((s) => {
    const last = s.points.at(-1)!;
    const flagged = s.regressions.find((r) => r.run === last.run);
    const earlierValues = s.points
      .slice(0, -1)
      .filter((p) => p.verdict !== 'unknown')
      .map((p) => p.value);
    const j = judgeRegression(last.value, earlierValues, s.better);
    return `<tr data-series="${e(s.key)}" data-state="${last.state}"><td>${e(s.title)}</td><td>${e(s.unit)}</td><td>${s.better}</td>
<td class="num">${fmt(last.value)}</td><td class="num">${fmt(j?.median)}</td><td class="num">${fmt(j?.mad)}</td><td class="num">${fmt(j?.limit)}</td>
<td class="state ${flagged ? 'fail' : 'pass'}">${flagged ? '▲ REGRESSION' : e(last.state)}</td></tr>`;
  });
  return `<section id="scenario-${e(scenario)}"><h2>${e(scenario)} — ${runs.length} run(s)</h2>
<table><thead><tr><th>run</th><th>verdict</th><th>failed SLOs</th><th>lost writes</th><th>judged at</th></tr></thead><tbody>${runRows.join('\n')}</tbody></table>
<table><thead><tr><th>series</th><th>unit</th><th>better</th><th>newest</th><th>baseline median</th><th>MAD</th><th>limit</th><th>newest run</th></tr></thead><tbody>${seriesRows.join('\n')}</tbody></table>
${boxes.join('\n')}</section>`;
}
