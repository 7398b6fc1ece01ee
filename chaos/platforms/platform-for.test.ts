import { describe, expect, it } from 'vitest';
import { WindshearError } from '../../lib/errors.ts';
import { defaultPlatformName, parsePlatformName, platformFor } from './platform-for.ts';

const problemOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (e instanceof WindshearError) return { exit: e.exitCode, ...e.problems[0] };
    throw e;
  }
  return null;
};

describe('platformFor', () => {
  it('defaults to local, or WINDSHEAR_PLATFORM when set', () => {
    expect(defaultPlatformName({})).toBe('local');
    expect(defaultPlatformName({ WINDSHEAR_PLATFORM: '' })).toBe('local');
    expect(defaultPlatformName({ WINDSHEAR_PLATFORM: 'compose' })).toBe('compose');
  });

  it('builds the local platform', async () => {
    const p = await platformFor('local', { services: false });
    expect(p.name).toBe('local');
    expect(p.capabilities().processFaults).toBe(true);
  });

  it('builds the compose platform without reaching Docker; its topology is the one reached from the host', async () => {
    const p = await platformFor('compose');
    expect(p.name).toBe('compose');
    expect(p.capabilities().processFaults).toBe(true);
    const t = p.plannedTopology('ci');
    expect(t.edge.host).toBe('10.78.0.10');
    expect(t.components.find((c) => c.name === 'kafka-2')?.host).toBe('10.78.2.11');
  });

  it('refuses kubernetes with exit 254, saying it is not built and naming the built ones', async () => {
    await expect(platformFor('kubernetes')).rejects.toThrow(/kubernetes platform is not built yet/);
    expect(problemOf(() => parsePlatformName('kubernetes'))).toMatchObject({
      exit: 254,
      code: 'platform-not-built',
      fix: expect.stringContaining('--platform local'),
    });
  });

  it('refuses an unknown name with the names there are', () => {
    expect(problemOf(() => parsePlatformName('docker'))).toMatchObject({
      exit: 254,
      code: 'platform-unknown',
      message: 'unknown platform "docker" (known: local, compose, kubernetes)',
      fix: expect.stringContaining('use --platform local'),
    });
  });
});
