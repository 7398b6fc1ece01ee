import { describe, expect, it } from 'vitest';
import { autogroupNice, parseAutogroupNice, setAutogroupNice } from './autogroup.ts';

describe('autogroup', () => {
  it("reads the niceness of /proc/<pid>/autogroup's line", () => {
    expect(parseAutogroupNice('/autogroup-350921 nice 0\n')).toBe(0);
    expect(parseAutogroupNice('/autogroup-7 nice -10')).toBe(-10);
    expect(parseAutogroupNice('')).toBeNull();
  });

  it.runIf(process.getuid?.() === 0 && autogroupNice() !== null)(
    "sets this session's autogroup niceness and gives it back",
    () => {
      const start = autogroupNice();
      // Put back at once (raising it again needs root).
      const before = setAutogroupNice(5);
      try {
        expect(before).toBe(start);
        expect(autogroupNice()).toBe(5);
      } finally {
        if (before !== null) setAutogroupNice(before);
      }
      expect(autogroupNice()).toBe(start);
    },
  );
});
