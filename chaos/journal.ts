import fs from 'node:fs';
import path from 'node:path';
import type { Step } from './faults/step.ts';

/**
 * The undo journal: JSONL, append-only, fsynced per line. An `undo` line is written BEFORE the
 * apply step it undoes runs; a `done` line when that undo succeeded. Whatever has an `undo` and
 * no `done` is outstanding, and `healAll` replays it, last first, from this file alone (so a
 * crashed or killed harness can be healed by the next `windshear chaos heal`).
 */

export type JournalRecord =
  | {
      type: 'undo';
      /** Unique id of this undo: `<instance>/<apply step index>`. */
      id: string;
      /** Unique per injection, so fault ids reused across runs never collide. */
      instance: string;
      faultId: string;
      fault: string;
      step: Step;
      wall: string;
    }
  /** The rule id a partition/shape apply step returned, for the `heal` undo naming `ref`. */
  | { type: 'bound'; instance: string; ref: string; ruleId: string; wall: string }
  | { type: 'done'; id: string; exitCode: number; detail?: string; wall: string };

export type UndoRecord = Extract<JournalRecord, { type: 'undo' }>;

export interface JournalState {
  /** Undos without `done`, in journal (apply) order. */
  outstanding: UndoRecord[];
  /** `<instance>/<ref>` to the platform rule id. */
  bindings: Map<string, string>;
  /** Lines that were not valid JSON records (e.g. torn by a crash mid-write). */
  skipped: number;
}

export function bindingKey(instance: string, ref: string): string {
  return `${instance}/${ref}`;
}

/** Appends one record and fsyncs it, so it survives a crash right after this call returns. */
export function append(journalPath: string, rec: JournalRecord): void {
  fs.mkdirSync(path.dirname(journalPath), { recursive: true });
  const fd = fs.openSync(journalPath, 'a+');
  try {
    // After a crash mid-write the last line may be torn: start on a fresh line.
    const size = fs.fstatSync(fd).size;
    const last = Buffer.alloc(1);
    const torn = size > 0 && fs.readSync(fd, last, 0, 1, size - 1) === 1 && last[0] !== 0x0a;
    fs.writeSync(fd, `${torn ? '\n' : ''}${JSON.stringify(rec)}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function isRecord(x: unknown): x is JournalRecord {
  if (typeof x !== 'object' || x === null) return false;
  const t = (x as { type?: unknown }).type;
  return t === 'undo' || t === 'bound' || t === 'done';
}

/** Reads the journal; a missing file is an empty journal. */
export function readJournal(journalPath: string): JournalState {
  let text = '';
  try {
    text = fs.readFileSync(journalPath, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const undos: UndoRecord[] = [];
  const done = new Set<string>();
  const bindings = new Map<string, string>();
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let rec: unknown;
    try {
      rec = JSON.parse(line);
    } catch {
      skipped++;
      continue;
    }
    if (!isRecord(rec)) {
      skipped++;
      continue;
    }
    if (rec.type === 'undo') undos.push(rec);
    else if (rec.type === 'done') done.add(rec.id);
    else bindings.set(bindingKey(rec.instance, rec.ref), rec.ruleId);
  }
  return { outstanding: undos.filter((u) => !done.has(u.id)), bindings, skipped };
}

/**
 * One in-process lock per journal, so a signal-triggered healAll and a fault's own recovery never
 * replay the same undo at the same time.
 */
const locks = new Map<string, Promise<unknown>>();

export function withJournalLock<T>(journalPath: string, fn: () => Promise<T>): Promise<T> {
  const key = path.resolve(journalPath);
  const prev = locks.get(key) ?? Promise.resolve();
  const next = prev.then(fn, fn);
  const tail = next.catch(() => undefined);
  locks.set(key, tail);
  void tail.then(() => {
    if (locks.get(key) === tail) locks.delete(key);
  });
  return next;
}
