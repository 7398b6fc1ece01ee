import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WindshearError } from '../../lib/errors.ts';
import { eventLine, parseDurationSec, parseParamPairs, register } from './chaos.ts';

function program(): Command {
  const p = new Command().exitOverride();
  register(p);
  return p;
}

afterEach(() => vi.restoreAllMocks());

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
