import type { ConsumerLagSample, HistoryEvent } from '../lib/run-format.ts';
import { type JsonlSink, openJsonl } from '../lib/run-store/jsonl-sink.ts';
import { RUN_FILES } from '../lib/run-store/run-files.ts';

/** What the live progress line needs from the history so far. */
export interface HistoryState {
  /** Faults started and not yet stopped, by id. */
  activeFaults: string[];
  /** Latest consumer-lag sample, worst group: seconds and summed offsets; null before the first. */
  lag: { sec: number; offsets: number; group: string } | null;
  events: number;
}

/**
 * Appends the run's history.jsonl (through lib/run-store) one line per event as it happens (a
 * crashed run keeps what it recorded; a torn last line is skipped by the loader) and keeps the
 * state the progress line shows.
 */
export class HistoryWriter {
  private readonly active = new Set<string>();
  private lag: HistoryState['lag'] = null;
  private count = 0;
  private closed = false;
  private readonly sink: JsonlSink<HistoryEvent>;

  /** Creates an empty history.jsonl in `runDir`. */
  constructor(runDir: string) {
    this.sink = openJsonl(runDir, RUN_FILES.history, { sync: true });
  }

  /** Path of the file written. */
  get file(): string {
    return this.sink.path;
  }

  /** Bound, so it can be passed around as an event sink. */
  readonly emit = (e: HistoryEvent): void => {
    if (this.closed) return;
    this.sink.append(e);
    this.count++;
    if (e.kind === 'fault-start') this.active.add(e.faultId);
    else if (e.kind === 'fault-stop') this.active.delete(e.faultId);
    else if (e.kind === 'sample' && e.probe === 'consumer-lag' && e.ok) {
      const groups = (e.data as ConsumerLagSample).groups ?? [];
      const worst = [...groups].sort((a, b) => b.lagSec - a.lagSec || b.lagOffsets - a.lagOffsets)[0];
      this.lag = worst ? { sec: worst.lagSec, offsets: worst.lagOffsets, group: worst.group } : null;
    }
  };

  state(): HistoryState {
    return { activeFaults: [...this.active], lag: this.lag, events: this.count };
  }

  /** Later events are dropped (a late probe or signal handler cannot write after run-end). */
  close(): void {
    this.closed = true;
    void this.sink.close();
  }
}
