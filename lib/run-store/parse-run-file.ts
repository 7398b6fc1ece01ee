import type { z } from 'zod';

/**
 * Parses a JSON document against `schema`; invalid JSON or an invalid document is a warning and
 * reads as absent (null), as does a missing file (`text` null).
 */
export function parseJson<T>(
  text: string | null,
  file: string,
  schema: z.ZodType,
  warnings: string[],
): T | null {
  if (text === null) return null;
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data as T;
    warnings.push(
      `${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  } catch (err) {
    warnings.push(`${file}: ${(err as Error).message}`);
  }
  return null;
}

/**
 * Parses JSON Lines, one `schema` value a line; a bad line (e.g. the torn last line of a crashed
 * run) is skipped with one warning per file. A missing file (`text` null) reads as null.
 */
export function parseJsonl<T>(
  text: string | null,
  file: string,
  schema: z.ZodType,
  warnings: string[],
): T[] | null {
  if (text === null) return null;
  const out: T[] = [];
  let bad = 0;
  let firstBad = '';
  for (const [i, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    let ok = false;
    try {
      const parsed = schema.safeParse(JSON.parse(line));
      if (parsed.success) {
        out.push(parsed.data as T);
        ok = true;
      }
    } catch {
      // counted below
    }
    if (!ok) {
      bad += 1;
      if (!firstBad) firstBad = `line ${i + 1}`;
    }
  }
  if (bad > 0) warnings.push(`${file}: skipped ${bad} unparsable line(s), first at ${firstBad}`);
  return out;
}
