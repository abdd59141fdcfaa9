// Identifiers in the `table` and `columns` params, read as Postgres reads them (SPEC.md SE1–SE2):
// unquoted names fold to lower case and allow only [A-Za-z0-9_]; "quoted" names keep their case and
// any character, with "" for a quote. Messages are Electric's (Electric.Postgres.Identifiers).
import type { TableRef } from './table-schema';

export type Parsed<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

const UNQUOTED = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function parseIdentifier(text: string): Parsed<string> {
  if (text.length >= 2 && text.startsWith('"') && text.endsWith('"')) {
    const inner = text.slice(1, -1);
    if (inner === '') return { ok: false, message: 'Invalid zero-length delimited identifier' };
    if (inner.replaceAll('""', '').includes('"')) {
      return { ok: false, message: `Invalid identifier with unescaped quote: ${inner}` };
    }
    return { ok: true, value: inner.replaceAll('""', '"') };
  }
  if (text === '') return { ok: false, message: 'Invalid zero-length delimited identifier' };
  if (!UNQUOTED.test(text)) {
    return { ok: false, message: `Invalid unquoted identifier contains special characters: ${text}` };
  }
  // Postgres folds only ASCII letters of unquoted identifiers.
  return { ok: true, value: text.replace(/[A-Z]/g, (c) => c.toLowerCase()) };
}

/** Splits on `separator` outside double quotes; `""` inside quotes is an escaped quote. */
function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (c === separator && !quoted) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/** `name` (schema public) or `schema.name`, each part quoted or not. */
export function parseRelation(text: string): Parsed<TableRef> {
  const parts = splitOutsideQuotes(text, '.');
  if (parts.length > 2) {
    return { ok: false, message: `Invalid relation "${text}": expected "table" or "schema.table"` };
  }
  const parsed = parts.map(parseIdentifier);
  for (const p of parsed) if (!p.ok) return p;
  const [a, b] = parsed.map((p) => (p as { value: string }).value) as [string, string | undefined];
  return { ok: true, value: b === undefined ? { schema: 'public', name: a } : { schema: a, name: b } };
}

/** `id,"has,comma","has""quote"` -> ['id', 'has,comma', 'has"quote'], in the order given. */
export function parseColumnList(text: string): Parsed<string[]> {
  const names: string[] = [];
  for (const part of splitOutsideQuotes(text, ',')) {
    const parsed = parseIdentifier(part);
    if (!parsed.ok) return parsed;
    names.push(parsed.value);
  }
  return { ok: true, value: names };
}
