import type { TopLevelSpec } from 'vega-lite';
import type {
  CapacityEvidence,
  ComponentEvent,
  ErrorPoint,
  FaultWindow,
  LagPoint,
  LatencyPoint,
  PhaseSpan,
  RatePoint,
} from './series.ts';

// Vega-Lite specs for the run report. Every time chart shares the x domain [0, spanSec] in seconds
// since run start, so charts stacked on the page line up. Series are told apart by dash and
// symbol as well as colour, and fault windows are grey with a dashed border and a text label.

type Layer = NonNullable<Extract<TopLevelSpec, { layer: unknown }>['layer']>[number];

const WIDTH = 820;
const DASHES = [
  [1, 0],
  [6, 3],
  [2, 2],
  [8, 3, 2, 3],
  [12, 4],
];
const SHAPES = ['circle', 'square', 'triangle-up', 'diamond', 'cross', 'triangle-down'];

function timeX(spanSec: number) {
  return {
    field: 'sec',
    type: 'quantitative' as const,
    title: 'seconds since run start',
    scale: { domain: [0, spanSec], nice: false },
  };
}

/** Grey, dashed-border bands for each fault window, labelled with the fault id at the top. */
function faultBands(faults: FaultWindow[], spanSec: number): Layer[] {
  if (faults.length === 0) return [];
  const values = faults.map((f) => ({ sec: f.startSec, end: f.stopSec, label: `▒ ${f.faultId}` }));
  return [
    {
      data: { values },
      mark: { type: 'rect', fill: '#9e9e9e', opacity: 0.18, stroke: '#424242', strokeDash: [4, 3] },
      encoding: { x: timeX(spanSec), x2: { field: 'end' } },
    },
    {
      data: { values },
      mark: { type: 'text', align: 'left', baseline: 'top', dx: 3, y: 2, fontSize: 10, color: '#424242' },
      encoding: { x: timeX(spanSec), text: { field: 'label' } },
    },
  ];
}

function seriesLines(
  values: object[],
  field: string,
  yField: string,
  yTitle: string,
  spanSec: number,
  seriesTitle: string,
): Layer {
  return {
    data: { values },
    mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1.6 },
    encoding: {
      x: timeX(spanSec),
      y: { field: yField, type: 'quantitative', title: yTitle },
      color: { field, type: 'nominal', title: seriesTitle },
      strokeDash: { field, type: 'nominal', title: seriesTitle, scale: { range: DASHES } },
      tooltip: [
        { field: 'sec', type: 'quantitative', title: 's' },
        { field, type: 'nominal' },
        { field: yField, type: 'quantitative', title: yTitle },
      ],
    },
  };
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
/** Legends above the plot so they never overflow the page width; a fixed y-axis width aligns time axes. */
const CONFIG = {
  legend: { orient: 'top' as const, direction: 'horizontal' as const },
  axisY: { minExtent: 72 },
};

function layered(title: string, height: number, layer: Layer[]): TopLevelSpec {
  return { $schema: SCHEMA, title, width: WIDTH, height, layer, config: CONFIG };
}

export function latencyChart(tag: string, points: LatencyPoint[], faults: FaultWindow[], spanSec: number) {
  return layered(`latency of ${tag} (from intended start)`, 200, [
    ...faultBands(faults, spanSec),
    seriesLines(
      points.filter((p) => p.tag === tag),
      'percentile',
      'ms',
      'latency (ms)',
      spanSec,
      'percentile',
    ),
  ]);
}

export function rateChart(points: RatePoint[], faults: FaultWindow[], spanSec: number): TopLevelSpec {
  return layered('achieved versus intended request rate', 180, [
    ...faultBands(faults, spanSec),
    seriesLines(points, 'series', 'rps', 'requests/s', spanSec, 'rate'),
  ]);
}

export function errorChart(points: ErrorPoint[], faults: FaultWindow[], spanSec: number): TopLevelSpec {
  return layered('error rate per endpoint tag', 180, [
    ...faultBands(faults, spanSec),
    seriesLines(points, 'tag', 'errorPct', 'failed requests (%)', spanSec, 'tag'),
  ]);
}

export function lagChart(
  points: LagPoint[],
  measure: 'lagOffsets' | 'lagSec',
  faults: FaultWindow[],
  spanSec: number,
): TopLevelSpec {
  const title = measure === 'lagOffsets' ? 'consumer lag (offsets)' : 'consumer lag (seconds)';
  return layered(title, 180, [
    ...faultBands(faults, spanSec),
    seriesLines(points, 'group', measure, measure === 'lagOffsets' ? 'offsets' : 'seconds', spanSec, 'group'),
  ]);
}

interface Bar {
  lane: string;
  sec: number;
  end: number;
  label: string;
  kind: string;
}
interface Mark {
  lane: string;
  sec: number;
  label: string;
  detail: string;
  /** Legend entry of the symbol, e.g. `detection`, `kafka`. */
  event: string;
  /** Where the label goes; set by staggerLabels. */
  pos?: 'above' | 'below';
}

/** Alternates labels above and below their symbol when neighbours in a lane are close in time. */
function staggerLabels(marks: Mark[], spanSec: number): void {
  const near = spanSec / 12;
  const lastByLane = new Map<string, Mark>();
  for (const m of [...marks].sort((a, b) => a.sec - b.sec)) {
    const prev = lastByLane.get(m.lane);
    m.pos = prev && m.sec - prev.sec < near && prev.pos === 'above' ? 'below' : 'above';
    lastByLane.set(m.lane, m);
  }
}

const BAR_KINDS = ['phase', 'fault active', 'RTO (SLI)'];
const BAR_FILLS = ['#cfe0f3', '#d6d6d6', '#f4b6b6'];
const BAR_DASHES = [
  [1, 0],
  [4, 3],
  [1, 0],
];

/** Lanes of labelled bars and labelled event symbols on the shared time axis. */
function lanes(
  title: string,
  bars: Bar[],
  marks: Mark[],
  laneOrder: string[],
  spanSec: number,
): TopLevelSpec {
  const y = {
    field: 'lane',
    type: 'nominal' as const,
    title: null,
    sort: laneOrder,
    scale: { domain: laneOrder },
  };
  const layer: Layer[] = [
    {
      data: { values: bars },
      mark: { type: 'bar', cornerRadius: 2, height: { band: 0.7 }, stroke: '#212121', strokeWidth: 0.8 },
      encoding: {
        x: timeX(spanSec),
        x2: { field: 'end' },
        y,
        color: {
          field: 'kind',
          type: 'nominal',
          title: 'span',
          scale: { domain: BAR_KINDS, range: BAR_FILLS },
        },
        strokeDash: {
          field: 'kind',
          type: 'nominal',
          title: 'span',
          scale: { domain: BAR_KINDS, range: BAR_DASHES },
        },
        tooltip: [{ field: 'label' }, { field: 'sec', title: 'from s' }, { field: 'end', title: 'to s' }],
      },
    },
    {
      data: { values: bars },
      mark: { type: 'text', align: 'left', dx: 3, fontSize: 10, color: '#212121' },
      encoding: { x: timeX(spanSec), y, text: { field: 'label' } },
    },
  ];
  if (marks.length > 0) {
    staggerLabels(marks, spanSec);
    layer.push(
      {
        data: { values: marks },
        mark: { type: 'point', filled: true, size: 70, color: '#212121' },
        encoding: {
          x: timeX(spanSec),
          y,
          shape: { field: 'event', type: 'nominal', title: 'event', scale: { range: SHAPES } },
          tooltip: [{ field: 'sec', title: 's' }, { field: 'label' }, { field: 'detail' }],
        },
      },
      ...(['above', 'below'] as const).map(
        (pos): Layer => ({
          data: { values: marks },
          transform: [{ filter: { field: 'pos', equal: pos } }],
          mark: {
            type: 'text',
            align: 'left',
            dx: 6,
            dy: pos === 'above' ? -9 : 11,
            fontSize: 9,
            color: '#212121',
          },
          encoding: { x: timeX(spanSec), y, text: { field: 'label' } },
        }),
      ),
    );
  }
  return { $schema: SCHEMA, title, width: WIDTH, height: { step: 36 }, layer, config: CONFIG };
}

/** Phases and fault windows as a Gantt chart. */
export function faultTimelineChart(
  phases: PhaseSpan[],
  faults: FaultWindow[],
  spanSec: number,
): TopLevelSpec {
  const bars: Bar[] = [
    ...phases.map((p) => ({ lane: 'phases', sec: p.startSec, end: p.endSec, label: p.phase, kind: 'phase' })),
    ...faults.map((f) => ({
      lane: `fault ${f.faultId}`,
      sec: f.startSec,
      end: f.stopSec,
      label: `${f.fault} → ${f.targets}${f.open ? ' (no stop recorded)' : ''}`,
      kind: 'fault active',
    })),
  ];
  return lanes(
    'phases and faults',
    bars,
    [],
    ['phases', ...faults.map((f) => `fault ${f.faultId}`)],
    spanSec,
  );
}

export interface RtoSpan {
  faultId: string;
  startSec: number;
  stopSec: number;
  rtoSec: number | null;
  detectionSec: number | null;
  components: { what: string; sec: number | null }[];
}

/** Per fault: the fault window, the SLI-based RTO span, detection and component recoveries; then component events. */
export function rtoChart(spans: RtoSpan[], events: ComponentEvent[], spanSec: number): TopLevelSpec {
  const bars: Bar[] = [];
  const marks: Mark[] = [];
  const order: string[] = [];
  for (const s of spans) {
    const laneFault = `${s.faultId} fault`;
    const laneRto = `${s.faultId} RTO`;
    const laneEvents = `${s.faultId} recovery`;
    order.push(laneFault, laneRto, laneEvents);
    bars.push({
      lane: laneFault,
      sec: s.startSec,
      end: s.stopSec,
      label: 'fault active',
      kind: 'fault active',
    });
    if (s.rtoSec !== null) {
      bars.push({
        lane: laneRto,
        sec: s.startSec,
        end: s.startSec + s.rtoSec,
        label: `RTO ${s.rtoSec} s`,
        kind: 'RTO (SLI)',
      });
    } else {
      marks.push({
        lane: laneEvents,
        sec: s.startSec,
        label: 'RTO not reached',
        detail: '',
        event: 'not recovered',
      });
    }
    if (s.detectionSec !== null) {
      marks.push({
        lane: laneEvents,
        sec: s.startSec + s.detectionSec,
        label: 'detected',
        detail: `SLI left objective ${s.detectionSec} s after fault start`,
        event: 'detection',
      });
    }
    for (const c of s.components) {
      if (c.sec === null) continue;
      marks.push({
        lane: laneEvents,
        sec: s.startSec + c.sec,
        label: c.what,
        detail: `${c.what} recovered ${c.sec} s after fault start`,
        event: 'component recovered',
      });
    }
  }
  for (const component of ['kafka', 'redis', 'postgres', 'haproxy', 'opensearch'] as const) {
    const mine = events.filter((e) => e.component === component);
    if (mine.length === 0) continue;
    order.push(component);
    for (const e of mine)
      marks.push({ lane: component, sec: e.sec, label: e.what, detail: e.detail, event: component });
  }
  return lanes('recovery per fault, with component events', bars, marks, order, spanSec);
}

/** Rate versus p95 per capacity step; the knee (first failing step) is a dashed rule with a text label. */
export function capacityChart(title: string, ev: CapacityEvidence): TopLevelSpec {
  const steps = ev.steps
    .filter((s) => s.p95Ms !== null)
    .map((s) => ({ ...s, state: s.pass ? 'PASS' : 'FAIL' }));
  const layer: Layer[] = [
    {
      data: { values: steps },
      mark: { type: 'line', color: '#616161' },
      encoding: {
        x: { field: 'rate', type: 'quantitative', title: 'step rate (req/s)' },
        y: { field: 'p95Ms', type: 'quantitative', title: 'p95 latency (ms)' },
      },
    },
    {
      data: { values: steps },
      mark: { type: 'point', filled: true, size: 90 },
      encoding: {
        x: { field: 'rate', type: 'quantitative' },
        y: { field: 'p95Ms', type: 'quantitative' },
        shape: {
          field: 'state',
          type: 'nominal',
          title: 'step',
          scale: { domain: ['PASS', 'FAIL'], range: ['circle', 'cross'] },
        },
        color: {
          field: 'state',
          type: 'nominal',
          title: 'step',
          scale: { domain: ['PASS', 'FAIL'], range: ['#1b5e20', '#b71c1c'] },
        },
        tooltip: [{ field: 'rate' }, { field: 'p95Ms', title: 'p95 ms' }, { field: 'state' }],
      },
    },
    {
      data: { values: steps },
      mark: { type: 'text', dy: -12, fontSize: 9 },
      encoding: {
        x: { field: 'rate', type: 'quantitative' },
        y: { field: 'p95Ms', type: 'quantitative' },
        text: { field: 'state' },
      },
    },
  ];
  if (ev.knee !== null) {
    const knee = [{ rate: ev.knee, label: `knee: ${ev.knee} req/s (first failing step)` }];
    layer.push(
      {
        data: { values: knee },
        mark: { type: 'rule', strokeDash: [6, 4], strokeWidth: 2, color: '#212121' },
        encoding: { x: { field: 'rate', type: 'quantitative' } },
      },
      {
        data: { values: knee },
        mark: { type: 'text', align: 'right', dx: -4, y: 8, fontSize: 11, fontWeight: 'bold' },
        encoding: { x: { field: 'rate', type: 'quantitative' }, text: { field: 'label' } },
      },
    );
  }
  return { $schema: SCHEMA, title, width: WIDTH, height: 240, layer, config: CONFIG };
}
