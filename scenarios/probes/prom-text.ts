import type { ServiceMetricsSample } from '../../lib/run-format.ts';

/** One sample line of the Prometheus text format: name, labels, value. */
export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE_RE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL_RE = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Pure: Prometheus text exposition to samples (comments and unparsable lines skipped). */
export function parsePromText(text: string): PromSample[] {
  const out: PromSample[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const m = LINE_RE.exec(line);
    if (!m) continue;
    const value = Number(m[3]);
    if (!Number.isFinite(value)) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL_RE)) labels[l[1] ?? ''] = l[2] ?? '';
    out.push({ name: m[1] ?? '', labels, value });
  }
  return out;
}

/** The counters of one instance's /metrics that ServiceMetricsSample sums. */
export interface InstanceCounters {
  cacheHits: number;
  cacheMisses: number;
  degradedResponses: number;
  /** Breaker name → `ws_breaker_state` value (0 closed, 1 open, 2 half-open). */
  breakers: Record<string, number>;
}

export function instanceCounters(samples: PromSample[]): InstanceCounters {
  const sum = (name: string) => samples.filter((s) => s.name === name).reduce((a, s) => a + s.value, 0);
  const breakers: Record<string, number> = {};
  for (const s of samples)
    if (s.name === 'ws_breaker_state' && s.labels.name) breakers[s.labels.name] = s.value;
  return {
    cacheHits: sum('ws_cache_hits_total'),
    cacheMisses: sum('ws_cache_misses_total'),
    degradedResponses: sum('ws_degraded_responses_total'),
    breakers,
  };
}

const STATE: Record<number, ServiceMetricsSample['breakers'][number]['state']> = {
  0: 'closed',
  1: 'open',
  2: 'half-open',
};
/** Worse first: a breaker open on any instance is reported open. */
const SEVERITY = { open: 2, 'half-open': 1, closed: 0 } as const;

/** Pure: sums counters over instances; each breaker takes its worst state over instances. */
export function sumInstances(all: InstanceCounters[]): ServiceMetricsSample {
  const breakers = new Map<string, ServiceMetricsSample['breakers'][number]['state']>();
  for (const c of all) {
    for (const [name, v] of Object.entries(c.breakers)) {
      const state = STATE[v] ?? 'closed';
      const prev = breakers.get(name);
      if (!prev || SEVERITY[state] > SEVERITY[prev]) breakers.set(name, state);
    }
  }
  return {
    cacheHits: all.reduce((a, c) => a + c.cacheHits, 0),
    cacheMisses: all.reduce((a, c) => a + c.cacheMisses, 0),
    degradedResponses: all.reduce((a, c) => a + c.degradedResponses, 0),
    breakers: [...breakers]
      .map(([name, state]) => ({ name, state }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  };
}
