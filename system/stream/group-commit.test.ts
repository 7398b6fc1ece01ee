import { describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit.ts';

/** A job whose runs the test ends by hand, recording what each run took. */
function heldJob() {
  const runs: number[][] = [];
  const release: (() => void)[] = [];
  const job = async (inputs: number[]) => {
    runs.push(inputs);
    await new Promise<void>((r) => release.push(r));
    if (inputs.includes(-1)) throw new Error('job failed');
    return inputs.map((i) => i * 10);
  };
  return { runs, release, job };
}

describe('GroupCommit', () => {
  it('runs one job at a time and gives the next all that queued meanwhile, each its own output', async () => {
    const { runs, release, job } = heldJob();
    const g = new GroupCommit(job);
    const a = g.submit(1);
    const b = g.submit(2);
    const c = g.submit(3);
    await Promise.resolve();
    expect(runs).toEqual([[1]]);
    release[0]!();
    expect(await a).toBe(10);
    await new Promise((r) => setImmediate(r));
    expect(runs).toEqual([[1], [2, 3]]);
    release[1]!();
    expect(await Promise.all([b, c])).toEqual([20, 30]);
  });

  it('rejects every submitter of a failed job and goes on with the next', async () => {
    const { runs, release, job } = heldJob();
    const g = new GroupCommit(job);
    const first = g.submit(1);
    const bad = g.submit(-1);
    const alsoBad = g.submit(4);
    release[0]!();
    await first;
    await new Promise((r) => setImmediate(r));
    release[1]!();
    await expect(bad).rejects.toThrow('job failed');
    await expect(alsoBad).rejects.toThrow('job failed');
    const later = g.submit(5);
    await new Promise((r) => setImmediate(r));
    release[2]!();
    expect(await later).toBe(50);
    expect(runs).toEqual([[1], [-1, 4], [5]]);
  });
});
