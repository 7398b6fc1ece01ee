import type { ApiSample } from '../../lib/run-format.ts';
import type { Topology } from '../../system/topology.ts';
import type { Probe, ProbeResult } from './sampler.ts';

/** The edge search route the api probe asks; a flight search the catalogue always answers. */
export const API_PROBE_PATH = '/v1/search?origin=LHR&destination=JFK&date=2026-12-01&limit=1';

/** One search through HAProxy with a short timeout: ready = 2xx, its status and latency. */
export function apiProbe(topology: Topology, opts: { intervalMs?: number; timeoutMs?: number } = {}): Probe {
  const url = `http://${topology.edge.host}:${topology.edge.port}${API_PROBE_PATH}`;
  const timeoutMs = opts.timeoutMs ?? 900;
  return {
    name: 'api',
    intervalMs: opts.intervalMs ?? 1000,
    sample: async (): Promise<ProbeResult> => {
      const started = performance.now();
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
        await res.arrayBuffer();
        const data: ApiSample = {
          ready: res.ok,
          status: res.status,
          latencyMs: Math.round((performance.now() - started) * 10) / 10,
        };
        return { ok: true, data, requests: 1 };
      } catch (e) {
        const data: ApiSample = { ready: false, status: null, latencyMs: null };
        return { ok: true, data, error: e instanceof Error ? e.message : String(e), requests: 1 };
      }
    },
  };
}
