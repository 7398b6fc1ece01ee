import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { HttpError, parseInput } from './http-error.ts';

describe('parseInput', () => {
  const schema = z.object({ seats: z.number().int().min(1), name: z.string().min(1) });

  it('returns the parsed value', () => {
    expect(parseInput(schema, { seats: 2, name: 'a' }, 'body')).toEqual({ seats: 2, name: 'a' });
  });

  it('throws a 400 naming every bad field', () => {
    try {
      parseInput(schema, { seats: 0 }, 'body');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(HttpError);
      const e = err as HttpError;
      expect(e.statusCode).toBe(400);
      expect(e.message).toMatch(/body\.seats/);
      expect(e.message).toMatch(/body\.name/);
    }
  });
});
