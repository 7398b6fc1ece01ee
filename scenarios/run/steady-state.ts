import { setTimeout as sleep } from 'node:timers/promises';
import type { ConsumerLagSample } from '../../lib/run-format.ts';
import type { Topology } from '../../system/topology.ts';
import { consumerLagProbe } from '../probes/consumer-lag-probe.ts';

/**
 * A run starts measuring only once the platform is in a steady state under its background load
 * (the supplier feed, the warm-up): otherwise the steady window judges a backlog the run itself
 * started, and a fault's effect mixes with it (issue 12: broker-loss began with 875 messages of
 * lag). Steady = every consumer group's time lag at most STEADY_LAG_SEC on STEADY_SAMPLES
 * consecutive 1 s samples. Half of seed 000's 5 s lag objective leaves room for the load to come.
 */
export const STEADY_LAG_SEC = 2.5;
export const STEADY_SAMPLES = 3;
/** Longest wait for a steady state before time zero (ms); past it the run cannot pass. */
export const STEADY_BOUND_MS = 60_000;

export interface SteadyState {
  reached: boolean;
  waitedMs: number;
  /** One sentence: what was seen last, per group. */
  detail: string;
}

type Groups = ConsumerLagSample['groups'];

const describe = (groups: Groups | null) =>
  groups === null
    ? 'no lag sample could be read'
    : groups.map((g) => `${g.group} ${g.lagSec.toFixed(1)} s (${g.lagOffsets} records)`).join(', ');

/** PURE: is the tail of these samples (oldest first; null = could not be read) steady? */
export function isSteady(
  samples: readonly (Groups | null)[],
  need = STEADY_SAMPLES,
  maxLagSec = STEADY_LAG_SEC,
) {
  if (samples.length < need) return false;
  return samples.slice(-need).every((g) => g?.every((x) => x.lagSec <= maxLagSec) === true);
}

/** Samples consumer lag once a second until the platform is steady or `boundMs` has passed. */
export async function waitSteadyState(
  topology: Topology,
  opts: { signal?: AbortSignal; boundMs?: number } = {},
): Promise<SteadyState> {
  const bound = opts.boundMs ?? STEADY_BOUND_MS;
  const probe = consumerLagProbe(topology);
  const started = Date.now();
  const samples: (Groups | null)[] = [];
  try {
    while (!opts.signal?.aborted) {
      const r = await probe.sample();
      samples.push(r.ok ? ((r.data as ConsumerLagSample).groups ?? null) : null);
      const waitedMs = Date.now() - started;
      if (isSteady(samples))
        return {
          reached: true,
          waitedMs,
          detail: `steady after ${(waitedMs / 1000).toFixed(1)} s: ${describe(samples.at(-1) ?? null)}`,
        };
      if (waitedMs >= bound) break;
      await sleep(1000, undefined, opts.signal ? { signal: opts.signal } : {}).catch(() => {});
    }
  } finally {
    await probe.close?.();
  }
  const waitedMs = Date.now() - started;
  return {
    reached: false,
    waitedMs,
    detail: `not steady after ${(waitedMs / 1000).toFixed(1)} s (every group's lag at most ${STEADY_LAG_SEC} s on ${STEADY_SAMPLES} samples in a row): ${describe(samples.at(-1) ?? null)}`,
  };
}
