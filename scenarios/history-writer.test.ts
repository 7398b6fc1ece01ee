import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HistoryWriter } from './history-writer.ts';

const wall = '2026-01-01T00:00:00.000Z';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('HistoryWriter', () => {
  it('appends one JSON line per event and tracks active faults and the worst lag', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ws-hist-'));
    dirs.push(dir);
    const h = new HistoryWriter(dir);
    const file = h.file;
    h.emit({ kind: 'phase', t: 0, wall, phase: 'baseline' });
    h.emit({
      kind: 'fault-start',
      t: 10,
      wall,
      faultId: 'f1',
      fault: 'kill',
      selector: 'kafka:controller-leader',
      targets: [],
    });
    h.emit({
      kind: 'sample',
      t: 20,
      wall,
      probe: 'consumer-lag',
      ok: true,
      data: {
        groups: [
          { group: 'stream-normalizer', topic: 'supplier.raw', lagOffsets: 40, lagSec: 2.5 },
          { group: 'reservations-projector', topic: 'reservations.commands', lagOffsets: 90, lagSec: 1 },
        ],
      },
    });
    expect(h.state()).toEqual({
      activeFaults: ['f1'],
      lag: { sec: 2.5, offsets: 40, group: 'stream-normalizer' },
      events: 3,
    });
    h.emit({ kind: 'fault-stop', t: 30, wall, faultId: 'f1' });
    h.close();
    h.emit({ kind: 'note', t: 40, wall, level: 'info', message: 'after close' });
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(JSON.parse(lines[3] ?? '')).toMatchObject({ kind: 'fault-stop', faultId: 'f1' });
    expect(h.state().activeFaults).toEqual([]);
  });
});
