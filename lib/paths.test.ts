import { describe, expect, it } from 'vitest';
import { resolveStateDir, SYSTEM_STATE_BASE } from './paths.ts';

describe('resolveStateDir', () => {
  it('keeps WINDSHEAR_STATE first, as root or not, made absolute', () => {
    expect(resolveStateDir({ env: '/srv/ws', root: true, repoRoot: '/home/a/windshear' })).toEqual({
      dir: '/srv/ws',
      source: 'env',
    });
    expect(resolveStateDir({ env: 'rel/state', root: false, repoRoot: '/x' }).dir).toMatch(
      /^\/.*rel\/state$/,
    );
  });

  it('as root puts state under /var/lib/windshear, one directory per checkout, stable', () => {
    const a = resolveStateDir({ env: undefined, root: true, repoRoot: '/root/src/windshear' });
    const b = resolveStateDir({ env: undefined, root: true, repoRoot: '/work/other/windshear' });
    expect(a.source).toBe('system');
    expect(a.dir).toMatch(new RegExp(`^${SYSTEM_STATE_BASE}/windshear-[0-9a-f]{8}$`));
    expect(b.dir).not.toBe(a.dir);
    expect(resolveStateDir({ env: '', root: true, repoRoot: '/root/src/windshear' })).toEqual(a);
  });

  it('without root keeps state in the checkout', () => {
    expect(resolveStateDir({ env: undefined, root: false, repoRoot: '/home/a/windshear' })).toEqual({
      dir: '/home/a/windshear/.windshear',
      source: 'checkout',
    });
  });
});
