import type { TopLevelSpec } from 'vega-lite';
import type { HistoryEvent, SloVerdict } from '../../lib/run-format.ts';
import { RUN_FILES, type RunFileName } from '../../lib/run-store/run-files.ts';
import {
  capacityChart,
  errorChart,
  faultTimelineChart,
  lagChart,
  latencyChart,
  type RtoSpan,
  rateChart,
  rtoChart,
} from './charts.ts';
import { chartBox, escapeHtml as e, fmt, htmlPage, verdictLabel } from './html-page.ts';
import type { StoredRun } from './load-run.ts';
import { probeLoad } from './probe-load.ts';
import {
  bucketSecFor,
  capacityEvidence,
  componentEvents,
  droppedIterations,
  errorSeries,
  type FaultWindow,
  faultWindows,
  lagSeries,
  latencySeries,
  phaseSpans,
  rateSeries,
  runSpanSec,
} from './series.ts';

/** The run report as one self-contained HTML document; a pure function of the stored run. */
export async function renderReportHtml(run: StoredRun): Promise<string> {
  const r = run.results;
  const charts: Record<string, TopLevelSpec> = {};
  const spanSec = runSpanSec(run);
  const bucketSec = bucketSecFor(spanSec);
  let faults = faultWindows(run.history ?? [], spanSec);
  if (faults.length === 0) faults = faultsFromResults(run, spanSec);

  const sections: [string, string, string][] = [];
  const add = (id: string, title: string, html: string) => sections.push([id, title, html]);

  add('slos', 'SLOs', sloTable(r.slos));
  add('faults', 'Fault timeline', faultSection(run, faults, spanSec, charts));
  add('latency', 'Latency', latencySection(run, faults, spanSec, bucketSec, charts));
  add('load', 'Load and errors', loadSection(run, faults, spanSec, bucketSec, charts));
  add('lag', 'Consumer lag', lagSection(run, faults, spanSec, charts));
  add('recovery', 'Recovery (RTO)', recoverySection(run, faults, spanSec, charts));
  add('rpo', 'Data loss (RPO)', rpoSection(run));
  const capacity = capacitySection(r.slos, charts);
  if (capacity) add('capacity', 'Capacity', capacity);
  add('environment', 'Environment', environmentSection(run));
  add('files', 'Raw files', filesSection(run.rawFiles));
  if (run.warnings.length > 0) {
    add(
      'warnings',
      'Warnings',
      `<ul>${run.warnings.map((w) => `<li class="warn">${e(w)}</li>`).join('')}</ul>`,
    );
  }

  const body = [
    `<h1>windshear run: ${e(r.scenario)}</h1>`,
    banner(run),
    `<nav>${sections.map(([id, title]) => `<a href="#${id}">${e(title)}</a>`).join('')}</nav>`,
    ...sections.map(([id, title, html]) => `<section id="${id}"><h2>${e(title)}</h2>\n${html}</section>`),
  ].join('\n');
  return htmlPage(`windshear ${r.scenario}: ${verdictLabel(r.verdict)}`, body, charts);
}

function banner(run: StoredRun): string {
  const r = run.results;
  const count = (v: string) => r.slos.filter((s) => s.verdict === v);
  const failed = count('fail');
  const unknown = count('unknown');
  const why =
    r.verdict === 'fail'
      ? `Failed: ${failed.map((s) => e(s.id)).join(', ')}.`
      : r.verdict === 'unknown'
        ? `Could not judge: ${unknown.map((s) => `${e(s.id)} (${e(s.detail)})`).join('; ')}.`
        : 'Every SLO row met its objective.';
  return `<div class="banner ${r.verdict}" role="status" id="verdict"><strong>${verdictLabel(r.verdict)}</strong>
${count('pass').length} passed, ${failed.length} failed, ${unknown.length} unknown of ${r.slos.length} SLO rows;
${r.lostWrites.length} lost acknowledged write(s).<br>${why}</div>
<p class="note">Judged ${e(r.judgedAt)} against ${r.sloTables.map((t) => `<code>${e(t)}</code>`).join(', ') || 'no SLO table'}.
Run directory <code>${e(r.runDir)}</code>.</p>`;
}

/** What a section shows in place of a file the run did not record (lib/run-store: missing is null). */
function notRecorded(file: RunFileName): string {
  return `<p class="note">${e(file)}: not recorded.</p>`;
}

function state(v: SloVerdict['verdict']): string {
  return `<span class="state ${v}">${verdictLabel(v)}</span>`;
}

function sloTable(slos: SloVerdict[]): string {
  if (slos.length === 0) return '<p>No SLO rows were judged.</p>';
  const rows = slos.map(
    (s) => `<tr data-slo-id="${e(s.id)}" data-verdict="${s.verdict}">
<td>${state(s.verdict)}</td>
<td><code>${e(s.id)}</code><br>${e(s.title)}</td>
<td class="num">${e(fmt(s.measured, s.unit))}</td>
<td class="num">${e(`${s.objective.op} ${fmt(s.objective.value, s.unit)}`)}</td>
<td class="num">${e(fmt(s.margin, s.unit))}</td>
<td>${e(s.detail)}</td>
<td><code>${e(s.source.seed)}</code><br>${e(s.source.table)}<br><q>${e(s.source.row)}</q></td>
</tr>`,
  );
  return `<table class="slos"><thead><tr><th>state</th><th>SLO</th><th>measured</th><th>objective</th>
<th>margin (positive = inside)</th><th>how it was measured</th><th>seed it comes from</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>`;
}

function faultsFromResults(run: StoredRun, spanSec: number): FaultWindow[] {
  return run.results.faults.map((f) => ({
    faultId: f.faultId,
    fault: f.fault,
    targets: f.targets.map((t) => t.name).join(', '),
    startSec: f.startMs / 1000,
    stopSec: f.stopMs === null ? spanSec : f.stopMs / 1000,
    open: f.stopMs === null,
  }));
}

function faultSection(
  run: StoredRun,
  faults: FaultWindow[],
  spanSec: number,
  charts: Record<string, TopLevelSpec>,
): string {
  if (run.history === null && faults.length === 0) return notRecorded(RUN_FILES.history);
  const history = run.history ?? [];
  const phases = phaseSpans(history, spanSec);
  if (faults.length === 0 && phases.length === 0)
    return '<p>The history records no phases and no faults.</p>';
  charts['chart-fault-timeline'] = faultTimelineChart(phases, faults, spanSec);
  const steps = history.filter(
    (h): h is Extract<HistoryEvent, { kind: 'fault-step' }> => h.kind === 'fault-step',
  );
  const selectors = new Map(
    history.flatMap((h) => (h.kind === 'fault-start' ? [[h.faultId, h.selector] as const] : [])),
  );
  const rows = faults.map((f) => {
    const mine = steps
      .filter((s) => s.faultId === f.faultId)
      .map(
        (s) =>
          `${s.step} at ${fmt(s.t / 1000)} s: <code>${e(s.action)}</code> → exit ${s.exitCode}${s.detail ? ` (${e(s.detail)})` : ''}`,
      );
    return `<tr><td><code>${e(f.faultId)}</code></td><td>${e(f.fault)}</td><td>${e(selectors.get(f.faultId) ?? '—')}</td>
<td>${e(f.targets)}</td><td class="num">${fmt(f.startSec)} s</td><td class="num">${f.open ? 'not recorded' : `${fmt(f.stopSec)} s`}</td>
<td>${mine.join('<br>') || '—'}</td></tr>`;
  });
  return `${chartBox('chart-fault-timeline', 'Gantt chart of run phases and fault windows')}
${faults.length === 0 ? '<p>No faults were injected.</p>' : `<table><thead><tr><th>fault</th><th>what</th><th>selector</th><th>targets</th><th>start</th><th>stop</th><th>steps</th></tr></thead><tbody>${rows.join('\n')}</tbody></table>`}`;
}

function latencySection(
  run: StoredRun,
  faults: FaultWindow[],
  spanSec: number,
  bucketSec: number,
  charts: Record<string, TopLevelSpec>,
): string {
  if (run.metrics === null) return notRecorded(RUN_FILES.metrics);
  if (run.metrics.length === 0) return `<p>${RUN_FILES.metrics} has no latency windows.</p>`;
  const points = latencySeries(run.metrics, bucketSec);
  const tags = [...new Set(points.map((p) => p.tag))].sort((a, b) =>
    a === 'all' ? -1 : b === 'all' ? 1 : a.localeCompare(b),
  );
  const boxes = tags.map((tag, i) => {
    const id = `chart-latency-${i}`;
    charts[id] = latencyChart(tag, points, faults, spanSec);
    return chartBox(id, `p50, p95 and p99 latency of ${tag} over time, fault windows shaded`);
  });
  const whole = latencySeries(run.metrics, Number.MAX_SAFE_INTEGER);
  const totals = new Map<string, { count: number; errors: number }>();
  for (const w of run.metrics) {
    const tag = w.tag === '*' ? 'all' : w.tag;
    const t = totals.get(tag) ?? { count: 0, errors: 0 };
    t.count += w.count;
    t.errors += w.errors;
    totals.set(tag, t);
  }
  const rows = tags.map((tag) => {
    const p = (q: string) => whole.find((x) => x.tag === tag && x.percentile === q)?.ms ?? null;
    const t = totals.get(tag);
    return `<tr><td>${e(tag)}</td><td class="num">${t?.count ?? 0}</td><td class="num">${t?.errors ?? 0}</td>
<td class="num">${fmt(p('p50'), 'ms')}</td><td class="num">${fmt(p('p95'), 'ms')}</td><td class="num">${fmt(p('p99'), 'ms')}</td></tr>`;
  });
  return `<p class="note">Latency from each request's intended start; each point merges the HDR histograms of
${bucketSec} s (percentiles are never averaged). Grey dashed bands ▒ are fault windows.</p>
${boxes.join('\n')}
<table><thead><tr><th>tag</th><th>requests</th><th>errors</th><th>p50 (whole run)</th><th>p95</th><th>p99</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>`;
}

function loadSection(
  run: StoredRun,
  faults: FaultWindow[],
  spanSec: number,
  bucketSec: number,
  charts: Record<string, TopLevelSpec>,
): string {
  if (run.metrics === null) return notRecorded(RUN_FILES.metrics);
  const rate = rateSeries(run.metrics, bucketSec);
  if (rate.length === 0) return `<p>${RUN_FILES.metrics} has no all-requests (\`*\`) windows.</p>`;
  charts['chart-rate'] = rateChart(rate, faults, spanSec);
  charts['chart-errors'] = errorChart(errorSeries(run.metrics, bucketSec), faults, spanSec);
  const mean = (series: string) => {
    const xs = rate.filter((p) => p.series === series).map((p) => p.rps);
    return xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length;
  };
  const probes = probeLoad(run.history, spanSec);
  const probeText = probes
    ? `\n<p>Beside it, the harness's probes made ${fmt(probes.totalPerSec, 'req/s')} to the platform's services (${probes.byProbe
        .map((p) => `${p.probe} ${fmt(p.perSec, 'req/s')}`)
        .join(', ')}).</p>`
    : '';
  return `<p>Mean achieved rate ${fmt(mean('achieved'), 'req/s')} against intended ${fmt(mean('intended'), 'req/s')};
k6 dropped ${droppedIterations(run.metrics)} iteration(s). A run whose load generator fell behind is judged unknown.</p>${probeText}
${chartBox('chart-rate', 'achieved versus intended request rate over time')}
${chartBox('chart-errors', 'percentage of failed requests per endpoint tag over time')}`;
}

function lagSection(
  run: StoredRun,
  faults: FaultWindow[],
  spanSec: number,
  charts: Record<string, TopLevelSpec>,
): string {
  if (run.history === null) return notRecorded(RUN_FILES.history);
  const lag = lagSeries(run.history);
  if (lag.length === 0) return '<p>The history holds no successful consumer-lag samples.</p>';
  charts['chart-lag-offsets'] = lagChart(lag, 'lagOffsets', faults, spanSec);
  charts['chart-lag-seconds'] = lagChart(lag, 'lagSec', faults, spanSec);
  const groups = [...new Set(lag.map((p) => p.group))].sort();
  const rows = groups.map((g) => {
    const mine = lag.filter((p) => p.group === g);
    return `<tr><td><code>${e(g)}</code></td><td class="num">${Math.max(...mine.map((p) => p.lagOffsets))}</td>
<td class="num">${fmt(Math.max(...mine.map((p) => p.lagSec)), 's')}</td><td class="num">${mine.length}</td></tr>`;
  });
  return `${chartBox('chart-lag-offsets', 'consumer lag in offsets per group over time')}
${chartBox('chart-lag-seconds', 'consumer lag in seconds per group over time')}
<table><thead><tr><th>group</th><th>peak lag (offsets)</th><th>peak lag (time)</th><th>samples</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>`;
}

function recoverySection(
  run: StoredRun,
  faults: FaultWindow[],
  spanSec: number,
  charts: Record<string, TopLevelSpec>,
): string {
  const events = componentEvents(run.history ?? []);
  const measured = run.results.faults;
  if (measured.length === 0 && events.length === 0)
    return '<p>No faults were measured and no component changed state.</p>';
  const spans: RtoSpan[] = measured.map((f) => {
    const w = faults.find((x) => x.faultId === f.faultId);
    return {
      faultId: f.faultId,
      startSec: f.startMs / 1000,
      stopSec: f.stopMs === null ? (w?.stopSec ?? spanSec) : f.stopMs / 1000,
      rtoSec: f.rtoMs === null ? null : f.rtoMs / 1000,
      detectionSec: f.detectionMs === null ? null : f.detectionMs / 1000,
      components: f.components.map((c) => ({ what: c.what, sec: c.ms === null ? null : c.ms / 1000 })),
    };
  });
  charts['chart-rto'] = rtoChart(spans, events, spanSec);
  const faultRows = measured.map(
    (
      f,
    ) => `<tr><td><code>${e(f.faultId)}</code></td><td>${e(f.fault)}</td><td>${e(f.targets.map((t) => t.name).join(', '))}</td>
<td class="num">${f.detectionMs === null ? 'never left objective' : fmt(f.detectionMs / 1000, 's')}</td>
<td class="num">${f.rtoMs === null ? 'not recovered' : fmt(f.rtoMs / 1000, 's')}</td>
<td>${f.components.map((c) => `${e(c.what)}: ${c.ms === null ? 'not observed' : fmt(c.ms / 1000, 's')}`).join('<br>') || '—'}</td></tr>`,
  );
  const endpointRows = measured.flatMap((f) =>
    (f.endpoints ?? []).map(
      (x) => `<tr><td><code>${e(f.faultId)}</code></td><td>${e(x.tag)}</td><td class="num">${x.requests}</td>
<td class="num">${x.requests === 0 ? 'not measured' : x.detectionMs === null ? 'never left objective' : fmt(x.detectionMs / 1000, 's')}</td>
<td class="num">${x.requests === 0 ? 'not measured' : x.rtoMs === null ? 'not recovered' : fmt(x.rtoMs / 1000, 's')}</td></tr>`,
    ),
  );
  const lbRows = measured.flatMap((f) =>
    f.lb
      ? [
          `<tr><td><code>${e(f.faultId)}</code></td><td>${e(f.lb.downServer)} DOWN at ${fmt(f.lb.downMs / 1000, 's')}</td><td>${f.lb.upServer === null || f.lb.upMs === null ? 'none UP again' : `${e(f.lb.upServer)} UP at ${fmt(f.lb.upMs / 1000, 's')}`}</td></tr>`,
        ]
      : [],
  );
  const eventRows = events.map(
    (ev) =>
      `<tr><td class="num">${fmt(ev.sec)} s</td><td>${e(ev.component)}</td><td>${e(ev.what)}</td><td>${e(ev.detail)}</td></tr>`,
  );
  return `<p class="note">RTO runs from fault start to the start of the first full settle window in which the SLI
stays within objective; detection is the first second the SLI left it. Component recovery times are measured from the
same fault start. Events below come from the kafka, redis, postgres, haproxy and opensearch probes.</p>
${chartBox('chart-rto', 'per fault: fault window, RTO span, detection and component recoveries; component events below')}
${measured.length === 0 ? '' : `<table><thead><tr><th>fault</th><th>what</th><th>targets</th><th>detection</th><th>RTO</th><th>component recovery (from fault start)</th></tr></thead><tbody>${faultRows.join('\n')}</tbody></table>`}
${
  endpointRows.length === 0
    ? ''
    : `<p class="note">Per endpoint: each endpoint's RTO under its own SLI (its requests alone, each within its bound); a second in which nothing of the endpoint was due neither detects nor breaks a settle window.</p>
<table><thead><tr><th>fault</th><th>endpoint</th><th>requests in the fault's horizon</th><th>detection</th><th>RTO</th></tr></thead><tbody>${endpointRows.join('\n')}</tbody></table>`
}
${
  lbRows.length === 0
    ? ''
    : `<p class="note">HAProxy's own record (${RUN_FILES.haproxyLog}), from fault start: the first target it took out of rotation and the first it re-admitted.</p>
<table><thead><tr><th>fault</th><th>out of rotation</th><th>re-admitted</th></tr></thead><tbody>${lbRows.join('\n')}</tbody></table>`
}
<details ${events.length <= 30 ? 'open' : ''}><summary>${events.length} component event(s)</summary>
<table><thead><tr><th>time</th><th>component</th><th>event</th><th>detail</th></tr></thead><tbody>${eventRows.join('\n')}</tbody></table></details>`;
}

function rpoSection(run: StoredRun): string {
  const r = run.results;
  const ops = (run.ledger ?? []).filter((o) => o.type !== 'invoke');
  const by = (kind: string, type: string) => ops.filter((o) => o.kind === kind && o.type === type).length;
  const ledger = ['reservation', 'fare-update']
    .map(
      (k) =>
        `<tr><td>${k}</td><td class="num">${by(k, 'ok')}</td><td class="num">${by(k, 'fail')}</td><td class="num">${by(k, 'unknown')}</td></tr>`,
    )
    .join('');
  const lost =
    r.lostWrites.length === 0
      ? '<p><strong>✓ 0 acknowledged writes lost.</strong></p>'
      : `<p><strong>✗ ${r.lostWrites.length} acknowledged write(s) lost</strong> — acknowledged to the client but not found after drain:</p>
<table class="lost"><thead><tr><th>op id</th><th>key</th><th>kind</th><th>acknowledged at</th><th>partition</th><th>offset</th><th>fault active</th><th>leader then</th></tr></thead><tbody>
${r.lostWrites
  .map(
    (
      w,
    ) => `<tr data-lost-op="${e(w.opId)}"><td><code>${e(w.opId)}</code></td><td><code>${e(w.key)}</code></td><td>${e(w.kind)}</td>
<td class="num">${fmt(w.ackedAt / 1000, 's')}</td><td class="num">${w.partition ?? '—'}</td><td class="num">${e(w.offset ?? '—')}</td>
<td>${e(w.faultId ?? '—')}</td><td>${e(w.leader ?? '—')}</td></tr>`,
  )
  .join('\n')}</tbody></table>`;
  const dups =
    r.duplicates.length === 0
      ? '<p>No ledger reservation was found more than once in the projection.</p>'
      : `<p><strong>${r.duplicates.length} duplicated key(s):</strong></p><table><thead><tr><th>key</th><th>rows</th></tr></thead><tbody>${r.duplicates
          .map((d) => `<tr><td><code>${e(d.key)}</code></td><td class="num">${d.count}</td></tr>`)
          .join('')}</tbody></table>`;
  if (run.ledger === null) return `${lost}\n${dups}\n${notRecorded(RUN_FILES.ledger)}`;
  return `${lost}\n${dups}
<table><thead><tr><th>ledger ops</th><th>ok</th><th>fail</th><th>unknown (outcome not known)</th></tr></thead><tbody>${ledger}</tbody></table>`;
}

function capacitySection(slos: SloVerdict[], charts: Record<string, TopLevelSpec>): string | null {
  const parts: string[] = [];
  slos.forEach((s, i) => {
    const ev = capacityEvidence(s);
    if (!ev) return;
    const id = `chart-capacity-${i}`;
    charts[id] = capacityChart(`${s.title}: step rate versus p95`, ev);
    const rows = ev.steps.map(
      (
        st,
      ) => `<tr${st.rate === ev.knee ? ' class="knee"' : ''}><td class="num">${fmt(st.rate, 'req/s')}</td><td class="num">${fmt(st.p95Ms, 'ms')}</td>
<td class="num">${fmt(st.errorRate, '%')}</td><td>${state(st.pass ? 'pass' : 'fail')}</td><td>${e(st.failed?.join(', ') ?? '')}</td>
<td>${st.rate === ev.knee ? '◀ knee' : ''}</td></tr>`,
    );
    const knee =
      ev.knee === null
        ? 'not reached — every step passed'
        : `${fmt(ev.knee)} req/s, the first step that did not pass`;
    parts.push(`<h3>${e(s.title)} <code>${e(s.id)}</code></h3>
<p>Knee: <strong>${knee}</strong>. Capacity measured: <strong>${e(fmt(s.measured, s.unit))}</strong> (${state(s.verdict)}). ${e(s.detail)}</p>
${chartBox(id, `capacity curve of ${s.id}: step rate versus p95 latency, knee marked`)}
<table><thead><tr><th>step rate</th><th>p95</th><th>errors</th><th>step</th><th>why it failed</th><th></th></tr></thead><tbody>${rows.join('\n')}</tbody></table>`);
  });
  return parts.length === 0 ? null : parts.join('\n');
}

function environmentSection(run: StoredRun): string {
  const env = run.environment;
  const plan = run.plan;
  if (!env) return notRecorded(RUN_FILES.environment);
  const kv = (k: string, v: string) => `<tr><th>${e(k)}</th><td>${e(v)}</td></tr>`;
  const gib = (env.machine.memoryBytes / 2 ** 30).toFixed(1);
  return `<table>
${kv('windshear', env.windshear)}${kv('commit', env.commit ?? 'unknown (not a git checkout)')}${kv('node', env.node)}
${kv('platform', env.platform)}${kv('machine', `${env.machine.cpus} CPUs, ${gib} GiB, kernel ${env.machine.kernel}`)}
${kv('seed', String(env.seed))}${kv('scale', `${env.scale} (scaled capacity objectives are multiplied by it)`)}
${plan ? kv('profile', plan.profile) + kv('planned duration', `${plan.durationSec} s`) : ''}
</table>
<table><thead><tr><th>component</th><th>version</th></tr></thead><tbody>
${env.components.map((c) => `<tr><td>${e(c.name)}</td><td>${e(c.version)}</td></tr>`).join('\n')}</tbody></table>`;
}

function filesSection(files: string[]): string {
  return `<ul>${files.map((f) => `<li><a href="${e(f)}">${e(f)}</a></li>`).join('')}</ul>
<p class="note">Links are relative to this report's folder.</p>`;
}
