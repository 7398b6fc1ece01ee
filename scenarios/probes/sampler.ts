import type { HistoryEvent, ProbeData, ProbeName } from '../../lib/run-format.ts';

/** Milliseconds since the run started (HistoryEvent.t) and the wall clock. */
export interface RunClock {
  t(): number;
  wall(): string;
}

/** One observation; a probe that could not observe returns ok=false with what it saw. */
export interface ProbeResult {
  ok: boolean;
  data: ProbeData;
  error?: string;
  /**
   * HTTP requests the observation made to the platform's services (edge, ingest, OpenSearch,
   * /metrics), so the report can show what the probes added beside the load.
   */
  requests?: number;
}

export interface Probe {
  name: ProbeName;
  /** Time between ticks in ms (1000 for 1 Hz). */
  intervalMs: number;
  sample(): Promise<ProbeResult>;
  close?(): Promise<void>;
}

export interface RunningSampler {
  /** Ticks skipped because the previous observation was still running. */
  skipped(): number;
  /** Stops ticking, waits for the running observation, closes the probe. */
  stop(): Promise<void>;
}

const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * Runs one probe on its own timer and appends a `sample` event per observation. Never throws:
 * a probe that throws yields ok=false with the error. A slow observation delays no other probe;
 * its own next tick is skipped while it runs.
 */
export type HistoryEmit = (e: HistoryEvent) => void;

export function startSampler(probe: Probe, clock: RunClock, emit: HistoryEmit): RunningSampler {
  let running: Promise<void> | null = null;
  let skipped = 0;
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    if (running) {
      skipped++;
      return;
    }
    const t = clock.t();
    const wall = clock.wall();
    running = probe
      .sample()
      .then(
        (r) => r,
        (e: unknown): ProbeResult => ({ ok: false, data: {}, error: errText(e) }),
      )
      .then((r) => {
        // `t` is when the observation started: that is the moment it describes.
        emit({
          kind: 'sample',
          t,
          wall,
          probe: probe.name,
          ok: r.ok,
          data: r.data,
          ...(r.error ? { error: r.error } : {}),
          ...(r.requests !== undefined ? { requests: r.requests } : {}),
        });
      })
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, probe.intervalMs);
  tick();
  return {
    skipped: () => skipped,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
      await probe.close?.().catch(() => undefined);
    },
  };
}
