import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { niceTo } from '../../../lib/priority.ts';

/** How to start one component process; stored in the state file so `start` can repeat it. */
export interface LaunchSpec {
  argv: string[];
  env: Record<string, string>;
  /** Network namespace to run in (netns mode). */
  netns: string | null;
  /** Run as this user (PostgreSQL refuses root). */
  user: string | null;
  cwd: string;
  log: string;
}

/** The argv actually executed: `ip netns exec` and `setpriv` both exec, so the pid is the program's. */
export function wrappedArgv(spec: LaunchSpec): string[] {
  const argv = [...spec.argv];
  if (spec.user) argv.unshift('setpriv', `--reuid=${spec.user}`, `--regid=${spec.user}`, '--init-groups');
  if (spec.netns) argv.unshift('ip', 'netns', 'exec', spec.netns);
  return argv;
}

/**
 * Starts a detached process in its own session (pgid = pid), output appended to its log. It
 * outlives the harness; `down` finds it again through the state file.
 */
export function launch(spec: LaunchSpec): number {
  mkdirSync(dirname(spec.log), { recursive: true });
  const fd = openSync(spec.log, 'a');
  // Components run at niceness 0 even when started by a harness that raised its own priority.
  const [cmd, ...args] = [...niceTo(0), ...wrappedArgv(spec)];
  try {
    const child = spawn(cmd!, args, {
      cwd: spec.cwd,
      env: spec.env,
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    if (child.pid === undefined) throw new Error(`could not start ${cmd}`);
    child.unref();
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

/** Signals the whole process group; false when it is already gone. */
export function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    try {
      process.kill(pid, signal);
      return true;
    } catch {
      return false;
    }
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const state = procState(pid);
    return state !== 'Z' && state !== null;
  } catch {
    return false;
  }
}

/** The process state letter from /proc (R, S, T for stopped, Z for zombie), or null. */
export function procState(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? null;
  } catch {
    return null;
  }
}

/** Every pid whose process group is `pgid` (children that kept the group of the component that spawned them; not postgres: familyOf). */
export function groupMembers(pgid: number): number[] {
  return procRows().flatMap((p) => (p.pgid === pgid ? [p.pid] : []));
}

/** Resident set size in bytes of one process, from /proc (0 once it is gone). */
export function pidRssBytes(pid: number): number {
  try {
    const statm = readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ');
    return Number(statm[1] ?? 0) * 4096;
  } catch {
    return 0; // raced with exit
  }
}

/** PURE: the `Pss:` line of /proc/<pid>/smaps_rollup, in bytes (null when it has none). */
export function pssBytesOf(smapsRollup: string): number | null {
  const m = /^Pss:\s+(\d+) kB$/m.exec(smapsRollup);
  return m ? Number(m[1]) * 1024 : null;
}

/**
 * Proportional set size in bytes of one process: its private pages plus its share of each page
 * it shares. Summed over processes it counts a shared page once (PostgreSQL's shared buffers,
 * mapped by every backend), where RSS counts it in each. RSS where smaps_rollup is unreadable.
 */
export function pidPssBytes(pid: number): number {
  try {
    return pssBytesOf(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8')) ?? pidRssBytes(pid);
  } catch {
    return pidRssBytes(pid);
  }
}

/** Resident memory (PSS) in bytes of a process group and every descendant of its members (familyOf). */
export function familyPssBytes(pgid: number, procs: readonly ProcRow[] = procRows()): number {
  return familyOf(pgid, procs).reduce((sum, pid) => sum + pidPssBytes(pid), 0);
}

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ: 100 on Linux, fixed by its ABI). */
export const USER_HZ = 100;

/**
 * CPU seconds (user + system) spent so far by one process, from /proc/<pid>/stat fields 14 and
 * 15 (read after the command name, which may hold spaces); null once it is gone.
 */
export function pidCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state): utime is field 14, stime 15.
    return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) / USER_HZ;
  } catch {
    return null; // raced with exit
  }
}

export interface ProcRow {
  pid: number;
  ppid: number;
  pgid: number;
}

/**
 * PURE: the pids of process group `pgid` and of every descendant of its members, wherever their
 * group. PostgreSQL's server processes descend from pg_autoctl, but each is a process group of
 * its own (42 of them under a ci stack's three pg components), so a group alone misses them.
 */
export function familyOf(pgid: number, procs: readonly ProcRow[]): number[] {
  const children = new Map<number, number[]>();
  for (const p of procs) {
    const siblings = children.get(p.ppid);
    if (siblings) siblings.push(p.pid);
    else children.set(p.ppid, [p.pid]);
  }
  const seen = new Set(procs.filter((p) => p.pgid === pgid).map((p) => p.pid));
  const todo = [...seen];
  for (let pid = todo.pop(); pid !== undefined; pid = todo.pop())
    for (const c of children.get(pid) ?? []) {
      if (seen.has(c)) continue;
      seen.add(c);
      todo.push(c);
    }
  return [...seen];
}

/** Every process's pid, parent and group, from /proc. */
export function procRows(): ProcRow[] {
  const out: ProcRow[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.push({ pid: Number(e), ppid: Number(fields[1]), pgid: Number(fields[2]) });
    } catch {
      // raced with exit
    }
  }
  return out;
}

/**
 * CPU seconds spent so far by the live members of a process group and their descendants
 * (familyOf). Children that exited are not counted: compare two readings of long-lived
 * processes only.
 */
export function groupCpuSeconds(pgid: number, procs: readonly ProcRow[] = procRows()): number {
  return familyOf(pgid, procs).reduce((sum, pid) => sum + (pidCpuSeconds(pid) ?? 0), 0);
}

/** SIGTERM the group, wait up to `graceMs`, then SIGKILL whatever is left. */
export async function stopGroup(pid: number, graceMs = 5000): Promise<void> {
  if (!signalGroup(pid, 'SIGCONT') && !isAlive(pid)) return;
  signalGroup(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (groupMembers(pid).every((p) => !isAlive(p))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  signalGroup(pid, 'SIGKILL');
  for (const p of groupMembers(pid)) signalGroup(p, 'SIGKILL');
}

/** pids whose command line mentions `fragment` (e.g. the data root): strays a crash left behind. */
export function pidsMentioning(fragment: string): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${e}/cmdline`, 'utf8').includes(fragment)) out.push(Number(e));
    } catch {
      // raced with exit
    }
  }
  return out;
}
