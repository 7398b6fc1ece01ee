import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { append, readJournal, withJournalLock } from './journal.ts';

let dir = '';
let file = '';
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ws-journal-'));
  file = path.join(dir, 'state', 'journal.jsonl');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const wall = '2026-01-01T00:00:00.000Z';

describe('journal', () => {
  it('a missing file is an empty journal', () => {
    expect(readJournal(file)).toEqual({ outstanding: [], bindings: new Map(), skipped: 0 });
  });
  it('outstanding = undo without done, in order; bindings by instance and ref', () => {
    append(file, {
      type: 'undo',
      id: 'f@1/0',
      instance: 'f@1',
      faultId: 'f',
      fault: 'kill',
      step: { op: 'start', name: 'a' },
      wall,
    });
    append(file, {
      type: 'undo',
      id: 'f@1/1',
      instance: 'f@1',
      faultId: 'f',
      fault: 'partition',
      step: { op: 'heal', ref: 'p0' },
      wall,
    });
    append(file, { type: 'bound', instance: 'f@1', ref: 'p0', ruleId: 'nft-7', wall });
    append(file, { type: 'done', id: 'f@1/0', exitCode: 0, wall });
    const s = readJournal(file);
    expect(s.outstanding.map((u) => u.id)).toEqual(['f@1/1']);
    expect(s.bindings.get('f@1/p0')).toBe('nft-7');
  });
  it('skips a line torn by a crash and keeps the rest', () => {
    append(file, {
      type: 'undo',
      id: 'f@1/0',
      instance: 'f@1',
      faultId: 'f',
      fault: 'kill',
      step: { op: 'start', name: 'a' },
      wall,
    });
    fs.appendFileSync(file, '{"type":"done","id":"f@1/0","exi');
    const s = readJournal(file);
    expect(s.skipped).toBe(1);
    expect(s.outstanding).toHaveLength(1);
  });
  it('serialises work on one journal', async () => {
    const order: string[] = [];
    const slow = withJournalLock(file, async () => {
      await new Promise((r) => setTimeout(r, 30));
      order.push('slow');
    });
    const fast = withJournalLock(file, async () => {
      order.push('fast');
    });
    await Promise.all([slow, fast]);
    expect(order).toEqual(['slow', 'fast']);
    await expect(withJournalLock(file, () => Promise.reject(new Error('x')))).rejects.toThrow('x');
    await expect(withJournalLock(file, async () => 'still works')).resolves.toBe('still works');
  });
});

describe('journal after a torn write', () => {
  it('starts the next record on a fresh line', () => {
    append(file, {
      type: 'undo',
      id: 'f@1/0',
      instance: 'f@1',
      faultId: 'f',
      fault: 'kill',
      step: { op: 'start', name: 'a' },
      wall,
    });
    fs.appendFileSync(file, '{"type":"undo","id":"f@1/1"');
    append(file, { type: 'done', id: 'f@1/0', exitCode: 0, wall });
    const s = readJournal(file);
    expect(s.outstanding).toEqual([]);
    expect(s.skipped).toBe(1);
  });
});
