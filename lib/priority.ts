import { getPriority, setPriority } from 'node:os';
import { setAutogroupNice } from './autogroup.ts';

/**
 * The harness's niceness while it measures (as root). On one 2-core machine the platform's
 * dozens of processes starved the harness: timers fired up to 4 s late, so faults started after
 * their phase and probes skipped most ticks. A measuring instrument must not be perturbed by what
 * it measures, so it runs ahead of the platform (the load engine, ENGINE_NICE, ahead of both).
 */
export const HARNESS_NICE = -10;

const isRoot = () => process.getuid?.() === 0;

/**
 * Raises this process's priority to HARNESS_NICE when allowed, and its session's autogroup too
 * (lib/autogroup.ts: without it the niceness only ranks the harness inside its own session, and
 * the session weighs as much as all of Docker's containers together); the autogroup's niceness is
 * given back when the process exits. Returns the niceness in effect after.
 */
export function raiseHarnessPriority(root = isRoot()): number {
  if (root) {
    try {
      setPriority(HARNESS_NICE);
    } catch {
      // not permitted after all: keep the current priority
    }
    const before = setAutogroupNice(HARNESS_NICE);
    if (before !== null && before !== HARNESS_NICE) process.once('exit', () => setAutogroupNice(before));
  }
  return getPriority();
}

/**
 * The `nice` prefix that starts a child at niceness `target` whatever this process's own (nice(1)
 * adds its increment to the caller's niceness); none when they are equal.
 */
export function niceTo(target: number, current = getPriority()): string[] {
  const delta = target - current;
  return delta === 0 ? [] : ['nice', '-n', String(delta)];
}
