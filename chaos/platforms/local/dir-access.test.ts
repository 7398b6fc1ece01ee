import { describe, expect, it } from 'vitest';
import {
  type AccessProbe,
  ancestors,
  dirAccessProblems,
  type Entry,
  type Ids,
  modeAllows,
  relocateFix,
} from './dir-access.ts';

const ROOT: Ids = { uid: 0, gids: [0] };
const PG: Ids = { uid: 105, gids: [110, 111] };
const dir = (mode: number, uid = 0, gid = 0): Entry => ({
  mode: 0o40000 | mode,
  uid,
  gid,
  owner: `${uid}:${gid}`,
});

/** A probe that answers from the mode bits, the way the kernel would without ACLs. */
function fakeFs(tree: Record<string, Entry>, ids: Ids) {
  const entry = (p: string) => tree[p] ?? null;
  const probe: AccessProbe = async (_user, dirs, need) =>
    dirs.filter((d) => {
      // The kernel needs x on every parent too.
      const chain = ancestors(d);
      return !chain.every((a, i) => modeAllows(entry(a)!, ids, i === chain.length - 1 ? need : 'x'));
    });
  return { entry, probe, ids };
}

const q = (d: string, user: string | null) => ({
  dir: d,
  user,
  forWhat: 'pg-monitor, pg-a, pg-b',
  relocate: 'set WINDSHEAR_STATE elsewhere',
});

describe('ancestors', () => {
  it('lists every directory from / down', () => {
    expect(ancestors('/a/b/c')).toEqual(['/', '/a', '/a/b', '/a/b/c']);
    expect(ancestors('/')).toEqual(['/']);
  });
});

describe('modeAllows', () => {
  it('reads the owner, group or other bits, and passes root', () => {
    expect(modeAllows(dir(0o700), PG, 'x')).toBe(false);
    expect(modeAllows(dir(0o701), PG, 'x')).toBe(true);
    expect(modeAllows(dir(0o710, 0, 111), PG, 'x')).toBe(true);
    expect(modeAllows(dir(0o700, 105, 0), PG, 'wx')).toBe(true);
    expect(modeAllows(dir(0o755, 0, 0), PG, 'wx')).toBe(false);
    expect(modeAllows(dir(0o000), ROOT, 'wx')).toBe(true);
  });
});

describe('dirAccessProblems', () => {
  const tree = {
    '/': dir(0o755),
    '/tmp': dir(0o1777),
    '/tmp/ws-fresh.x': dir(0o700),
    '/tmp/ws-fresh.x/main': dir(0o755),
    '/tmp/ws-fresh.x/main/.windshear': dir(0o755),
  };

  it('names the directory postgres cannot enter, its mode, the user and the fix', async () => {
    const problems = await dirAccessProblems(
      q('/tmp/ws-fresh.x/main/.windshear/data', 'postgres'),
      fakeFs(tree, PG),
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]!.code).toBe('dir-not-traversable');
    expect(problems[0]!.message).toContain('user postgres cannot enter /tmp/ws-fresh.x (mode 0700 0:0');
    expect(problems[0]!.message).toContain('pg-monitor, pg-a, pg-b');
    expect(problems[0]!.fix).toContain('`chmod o+x /tmp/ws-fresh.x`');
    expect(problems[0]!.fix).toContain('WINDSHEAR_STATE');
  });

  it('also names a deeper directory whose own mode bars the user, all at once', async () => {
    const t = { ...tree, '/tmp/ws-fresh.x/main': dir(0o750) };
    const problems = await dirAccessProblems(
      q('/tmp/ws-fresh.x/main/.windshear/data', 'postgres'),
      fakeFs(t, PG),
    );
    expect(problems.map((p) => /cannot enter (\S+)/.exec(p.message)?.[1])).toEqual([
      '/tmp/ws-fresh.x',
      '/tmp/ws-fresh.x/main',
    ]);
  });

  it('finds nothing when every parent is traversable; missing directories are made 0755 later', async () => {
    const t = { ...tree, '/tmp/ws-fresh.x': dir(0o711) };
    expect(
      await dirAccessProblems(q('/tmp/ws-fresh.x/main/.windshear/data/x/y', 'postgres'), fakeFs(t, PG)),
    ).toEqual([]);
  });

  it('for the user windshear runs as, needs write where it creates the state', async () => {
    const me: Ids = { uid: 1000, gids: [1000] };
    const t = { '/': dir(0o755), '/srv': dir(0o755) };
    const problems = await dirAccessProblems(q('/srv/state', null), fakeFs(t, me));
    expect(problems).toEqual([
      expect.objectContaining({
        code: 'dir-not-writable',
        message: expect.stringContaining('/srv (mode 0755 0:0) is not writable'),
        fix: 'set WINDSHEAR_STATE elsewhere',
      }),
    ]);
    expect(
      await dirAccessProblems(q('/srv/state', null), fakeFs({ ...t, '/srv': dir(0o755, 1000) }, me)),
    ).toEqual([]);
  });
});

describe('relocateFix', () => {
  it('offers unsetting WINDSHEAR_STATE only when it is what put the state there', () => {
    expect(relocateFix('postgres', 'env')).toMatch(
      /^unset WINDSHEAR_STATE \(as root .*\/var\/lib\/windshear\//,
    );
    expect(relocateFix('postgres', 'system')).toBe(
      'set WINDSHEAR_STATE to a directory every parent of which postgres can enter',
    );
    expect(relocateFix(null, 'checkout')).toContain('a directory this user can write');
  });
});
