import { type Document, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { Problem } from '../lib/errors.ts';
import { pathText, type SchemaIssue } from './schema.ts';

/** A YAML file parsed for validation: its plain value and a way back from a path to a line. */
export interface YamlDocument {
  file: string;
  /** Plain data (maps → objects); undefined when the YAML could not be parsed. */
  value: unknown;
  /** YAML syntax errors (with lines); when non-empty, `value` is not validated further. */
  syntaxProblems: Problem[];
  /** 1-based line of the node at `path` (of its key when `atKey`), or of its nearest existing parent. */
  lineOf(path: readonly (string | number)[], atKey?: boolean): number | undefined;
}

const SYNTAX_FIX: Record<string, string> = {
  DUPLICATE_KEY: 'remove or rename one of the duplicated keys',
  BAD_INDENT: 'indent the line to match its siblings (spaces, not tabs)',
  TAB_AS_INDENT: 'indent with spaces, not tabs',
  MISSING_CHAR: 'close the bracket or quote that was opened',
  MULTILINE_IMPLICIT_KEY: 'a key must fit on one line; is a ":" or a quote missing above?',
};

/** Parses YAML text; never throws. */
export function parseYaml(text: string, file: string): YamlDocument {
  const lineCounter = new LineCounter();
  const doc: Document.Parsed = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const line = (offset: number | undefined) =>
    offset === undefined ? undefined : lineCounter.linePos(offset).line;

  const syntaxProblems: Problem[] = doc.errors.map((e) => ({
    code: 'yaml-syntax',
    message: `YAML: ${(e.message.split('\n')[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, '')}`,
    file,
    ...(e.linePos?.[0] ? { line: e.linePos[0].line } : {}),
    fix:
      SYNTAX_FIX[e.code] ??
      'fix the YAML syntax on that line (indentation, a missing ":" or an unclosed quote)',
  }));

  let value: unknown;
  if (syntaxProblems.length === 0) {
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      syntaxProblems.push({
        code: 'yaml-syntax',
        message: `YAML: ${err instanceof Error ? err.message : String(err)}`,
        file,
        fix: 'remove aliases/anchors or fix the YAML',
      });
    }
  }

  const lineOf = (path: readonly (string | number)[], atKey = false): number | undefined => {
    let node: unknown = doc.contents;
    let offset = (doc.contents as Node | null)?.range?.[0];
    for (let i = 0; i < path.length; i++) {
      const seg = path[i];
      const lastSeg = i === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find(
          (p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg),
        );
        if (!pair) return line(offset);
        const keyOffset = (pair.key as Node | null)?.range?.[0];
        if (lastSeg && atKey) return line(keyOffset ?? offset);
        node = pair.value;
        offset = (pair.value as Node | null)?.range?.[0] ?? keyOffset ?? offset;
      } else if (isSeq(node) && typeof seg === 'number') {
        const item = node.items[seg];
        if (item === undefined) return line(offset);
        node = item;
        offset = (item as Node | null)?.range?.[0] ?? offset;
      } else {
        return line(offset);
      }
    }
    return line(offset);
  };

  return { file, value, syntaxProblems, lineOf };
}

/** Schema issues as Problems of this file, each with its line and path, in line order. */
export function issuesToProblems(issues: readonly SchemaIssue[], doc: YamlDocument): Problem[] {
  return issues
    .map((i): Problem => {
      const line = doc.lineOf(i.path, i.atKey);
      const path = pathText(i.path);
      return {
        code: i.code,
        message: i.message,
        file: doc.file,
        ...(line !== undefined ? { line } : {}),
        ...(path ? { path } : {}),
        ...(i.fix ? { fix: i.fix } : {}),
      };
    })
    .sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}
