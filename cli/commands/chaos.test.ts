import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WindshearError } from '../../lib/errors.ts';
import type { HistoryEvent } from '../../lib/run-format.ts';
import {
  eventLine,
  historyAppender,
  parseDurationSec,
  parseParamPairs,
  register,
  stopsAfterHeal,
} from './chaos.ts';

function program(): Command {
  const p = new Command().exitOverride();
  register(p);
  return p;
}

const dirs: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const clock = { t: () => 42, wall: () => '2026-01-01T00:00:00.000Z' };

describe('chaos command', () => {
  it('parses durations', () => {
    expect(parseDurationSec('30s')).toBe(30);
    expect(parseDurationSec('1500ms')).toBe(1.5);
    expect(parseDurationSec('2m')).toBe(120);
    expect(parseDurationSec('45')).toBe(45);
    expect(() => parseDurationSec('soon')).toThrow(WindshearError);
    expect(() => parseDurationSec('0s')).toThrow(/--for/);
  });
  it('parses --param pairs and reports every bad one', () => {
    expect(parseParamPairs(['delayMs=200', 'from=az-a,edge'])).toEqual({ delayMs: '200', from: 'az-a,edge' });
    expect(() => parseParamPairs(['x', '=1', 'a=1', 'a=2'])).toThrow(/"x", "=1", "a=2"/);
  });
  it('prints fault events as one line each', () => {
    expect(
      eventLine({
        kind: 'fault-step',
        t: 1234,
        wall: '',
        faultId: 'f',
        step: 'apply',
        action: 'kill kafka-2 SIGKILL',
        exitCode: 0,
      }),
    ).toBe('+1.234s f apply kill kafka-2 SIGKILL -> exit 0');
    expect(eventLine({ kind: 'phase', t: 0, wall: '', phase: 'fault' })).toBeNull();
  });
  it('appends history events as JSON lines to a file it creates, announcing it once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ws-chaos-'));
    dirs.push(dir);
    const file = join(dir, 'state', 'chaos-history.jsonl');
    const announced: string[] = [];
    const record = historyAppender(file, () => announced.push(file));
    const stop: HistoryEvent = { kind: 'fault-stop', t: 5, wall: 'w', faultId: 'adhoc-1' };
    record({ kind: 'note', t: 1, wall: 'w', level: 'info', message: 'x' });
    record(stop);
    expect(announced).toEqual([file]);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l).kind)).toEqual(['note', 'fault-stop']);
    // A second appender (the next command) adds to the same file.
    historyAppender(file)(stop);
    expect(readFileSync(file, 'utf8').trimEnd().split('\n')).toHaveLength(3);
  });
  it('stops, after a heal, each recovered fault with nothing left outstanding, once', () => {
    expect(stopsAfterHeal(['a', 'b', 'a', 'c'], [{ faultId: 'b' }], clock)).toEqual([
      { kind: 'fault-stop', t: 42, wall: '2026-01-01T00:00:00.000Z', faultId: 'a' },
      { kind: 'fault-stop', t: 42, wall: '2026-01-01T00:00:00.000Z', faultId: 'c' },
    ]);
    expect(stopsAfterHeal([], [], clock)).toEqual([]);
  });
  it('lists every fault kind as JSON', async () => {
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
      lines.push(String(s));
      return true;
    });
    await program().parseAsync(['node', 'windshear', 'chaos', 'list', '--json']);
    const list = JSON.parse(lines.join('')) as { name: string; needs: string[] }[];
    expect(list.map((f) => f.name)).toContain('ingress-pause');
    expect(list.find((f) => f.name === 'partition')?.needs).toEqual(['networkFaults']);
  });
  it('rejects bad flags before touching any platform', async () => {
    await expect(
      program().parseAsync(['node', 'windshear', 'chaos', 'inject', 'kill', '--for', 'soon']),
    ).rejects.toThrow(/--for/);
    await expect(
      program().parseAsync(['node', 'windshear', 'chaos', 'inject', 'delay', '--param', 'delayMs']),
    ).rejects.toThrow(/--param/);
  });
});
