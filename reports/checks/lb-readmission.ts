import type { RunMs } from '../../lib/run-format.ts';
import type { RunData } from './load-run.ts';
import type { FaultSpan } from './run-windows.ts';
import { targetNames } from './sli-recovery.ts';

/** When HAProxy took a fault's targets out of rotation and let the first back in, from its own log. */
export interface LbReadmission {
  /** The target HAProxy marked DOWN first, and when (ms from fault start). */
  downServer: string;
  downMs: number;
  /** The first target marked UP after that (ms from fault start); null when none was before the horizon. */
  upServer: string | null;
  upMs: number | null;
}

/**
 * HAProxy's record of one fault (run.lbTransitions, read from logs/haproxy.log): the first target
 * server it marked DOWN in [fault start, horizon), and the first target it marked UP after that:
 * the re-admission, the moment the load balancer routed to the target's service again. Null when
 * the run kept no timed HAProxy log, or HAProxy marked no target DOWN in that time.
 */
export function lbReadmission(run: RunData, fault: FaultSpan, horizon: RunMs): LbReadmission | null {
  const names = targetNames(fault);
  const seen = (run.lbTransitions ?? [])
    .filter((x) => names.has(x.server) && x.t >= fault.startMs && x.t < horizon)
    .sort((a, b) => a.t - b.t);
  const down = seen.find((x) => x.status === 'DOWN');
  if (!down) return null;
  const up = seen.find((x) => x.status === 'UP' && x.t >= down.t);
  // To the µs the log gives (run times are ms with a fraction).
  const since = (t: number) => Math.round((t - fault.startMs) * 1000) / 1000;
  return {
    downServer: down.server,
    downMs: since(down.t),
    upServer: up?.server ?? null,
    upMs: up ? since(up.t) : null,
  };
}
