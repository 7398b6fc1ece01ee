import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Problem } from '../../../lib/errors.ts';
import { exec } from '../../../lib/exec.ts';
import { type StateDirSource, SYSTEM_STATE_BASE, stateDirInfo } from '../../../lib/paths.ts';

/** What a user needs on a directory: `x` to enter it (search), `wx` to create entries in it too. */
export type Need = 'x' | 'wx';

/** Directories that `user` cannot use as `need` says, from the kernel's own answer (ACLs included). */
export type AccessProbe = (user: string | null, dirs: string[], need: Need) => Promise<string[]>;

/** `/a/b/c` → `['/', '/a', '/a/b', '/a/b/c']`. */
export function ancestors(path: string): string[] {
  const out: string[] = [];
  for (let p = path; ; p = dirname(p)) {
    out.unshift(p);
    if (dirname(p) === p) return out;
  }
}

export interface Entry {
  mode: number;
  uid: number;
  gid: number;
  /** `user:group` as names, for messages. */
  owner: string;
}

/** Numeric identity of a user: uid and every group it is in (primary first). */
export interface Ids {
  uid: number;
  gids: number[];
}

/** What the mode bits alone grant `ids` on `e` (no ACLs; uid 0 passes every directory). */
export function modeAllows(e: Entry, ids: Ids, need: Need): boolean {
  if (ids.uid === 0) return true;
  const bits =
    e.uid === ids.uid ? (e.mode >> 6) & 7 : ids.gids.includes(e.gid) ? (e.mode >> 3) & 7 : e.mode & 7;
  return need === 'x' ? (bits & 1) === 1 : (bits & 3) === 3;
}

/** `0700 root:root`: what a message shows about a directory. */
export const describeEntry = (e: Entry) => `${(e.mode & 0o7777).toString(8).padStart(4, '0')} ${e.owner}`;

export interface AccessQuestion {
  /** The directory the user must reach (it may not exist yet). */
  dir: string;
  /** null = the user windshear runs as (it creates every missing directory). */
  user: string | null;
  /** Shown in the message: whose directories these are, e.g. `pg-monitor, pg-a, pg-b`. */
  forWhat: string;
  /** How to move the state elsewhere, when a fix by chmod is not the only one. */
  relocate: string;
}

/**
 * Every directory on the way to `q.dir` that its user cannot use: `x` on every existing parent
 * and on the directory itself; the user windshear runs as also needs `w` on the deepest one that
 * exists (it creates the rest). Missing directories are made 0755 by windshear, so they are no
 * problem for other users. One problem per directory, all at once.
 */
export async function dirAccessProblems(
  q: AccessQuestion,
  io: { probe: AccessProbe; entry: (path: string) => Entry | null; ids: Ids },
): Promise<Problem[]> {
  const existing = ancestors(q.dir).filter((d) => io.entry(d) !== null);
  const who = q.user ?? 'windshear (this user)';
  const problems: Problem[] = [];
  const blocked = new Set(await io.probe(q.user, existing, 'x'));
  for (const [i, d] of existing.entries()) {
    if (!blocked.has(d)) continue;
    const e = io.entry(d)!;
    // Below a directory the user cannot enter the kernel says no to everything; name a deeper
    // one only when its own mode bars the user too, so one round of fixes is enough.
    if (i > 0 && blocked.has(existing[i - 1]!) && modeAllows(e, io.ids, 'x')) continue;
    problems.push({
      code: 'dir-not-traversable',
      message:
        `user ${who} cannot enter ${d} (mode ${describeEntry(e)}; it needs the x permission on every ` +
        `directory above ${q.dir}, the data of ${q.forWhat})`,
      fix: `\`chmod o+x ${d}\` (lets every user pass through it, not list or read it), or ${q.relocate}`,
    });
  }
  const deepest = existing.at(-1);
  if (q.user === null && deepest && blocked.size === 0) {
    const cannotWrite = await io.probe(null, [deepest], 'wx');
    if (cannotWrite.length > 0) {
      problems.push({
        code: 'dir-not-writable',
        message: `windshear cannot create ${q.dir}: ${deepest} (mode ${describeEntry(io.entry(deepest)!)}) is not writable by this user`,
        fix: q.relocate,
      });
    }
  }
  return problems;
}

/** stat of a path, or null when it does not exist. Owner shown as uid:gid names when known. */
export function entryOf(names: { user: (uid: number) => string; group: (gid: number) => string }) {
  return (path: string): Entry | null => {
    try {
      const s = statSync(path);
      return { mode: s.mode, uid: s.uid, gid: s.gid, owner: `${names.user(s.uid)}:${names.group(s.gid)}` };
    } catch {
      return null;
    }
  };
}

/** How to move the state where `user` can reach it (the `or ...` of a fix). */
export function relocateFix(user: string | null, source: StateDirSource = stateDirInfo().source): string {
  if (user === null)
    return 'set WINDSHEAR_STATE to a directory this user can write, e.g. "$HOME/.local/state/windshear"';
  if (source === 'env')
    return (
      `unset WINDSHEAR_STATE (as root windshear then keeps its state in ${SYSTEM_STATE_BASE}/<checkout>-<hash>, ` +
      `which every user can pass through), or point it at a directory every parent of which ${user} can enter`
    );
  return `set WINDSHEAR_STATE to a directory every parent of which ${user} can enter`;
}

/** uid and groups of `user` (null: the current process). */
export async function idsOf(user: string | null): Promise<Ids> {
  if (user === null) return { uid: process.getuid?.() ?? 0, gids: process.getgroups?.() ?? [] };
  const u = await exec('id', ['-u', user]);
  const g = await exec('id', ['-G', user]);
  if (u.exitCode !== 0) throw new Error(`user ${user} does not exist: ${u.stderr.trim()}`);
  return { uid: Number(u.stdout.trim()), gids: g.stdout.trim().split(/\s+/).map(Number) };
}

/** uid and gid to names from /etc/passwd and /etc/group, for messages; the number when unknown. */
export function localNames(): { user: (uid: number) => string; group: (gid: number) => string } {
  const table = (file: string) => {
    const m = new Map<number, string>();
    try {
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        const [name, , id] = line.split(':');
        if (name && id) m.set(Number(id), name);
      }
    } catch {
      // no such file: numbers only
    }
    return m;
  };
  const users = table('/etc/passwd');
  const groups = table('/etc/group');
  return { user: (u) => users.get(u) ?? String(u), group: (g) => groups.get(g) ?? String(g) };
}

/**
 * Asks the kernel: the current user through access(2); another user by running `test` as that
 * user (setpriv, as components are started), so ACLs and group membership count exactly.
 */
export const kernelProbe: AccessProbe = async (user, dirs, need) => {
  if (dirs.length === 0) return [];
  if (user === null) {
    const mode = need === 'x' ? constants.X_OK : constants.W_OK | constants.X_OK;
    return dirs.filter((d) => {
      try {
        accessSync(d, mode);
        return false;
      } catch {
        return true;
      }
    });
  }
  const test = need === 'x' ? '[ -x "$d" ]' : '[ -w "$d" ] && [ -x "$d" ]';
  const r = await exec('setpriv', [
    `--reuid=${user}`,
    `--regid=${user}`,
    '--init-groups',
    'sh',
    '-c',
    `for d; do ${test} || printf '%s\\n' "$d"; done`,
    'sh',
    ...dirs,
  ]);
  if (r.exitCode !== 0)
    throw new Error(`cannot check access as ${user}: ${r.stderr.trim() || `exit ${r.exitCode}`}`);
  return r.stdout.split('\n').filter(Boolean);
};
