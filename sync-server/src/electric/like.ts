// LIKE / ILIKE patterns compiled to anchored regular expressions (SPEC.md SE16).
// `%` is any sequence, `_` exactly one character (a code point, not a UTF-16 unit); the escape
// character (default backslash, `ESCAPE ''` for none) makes the next character literal.

export class LikePatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LikePatternError';
  }
}

export const DEFAULT_LIKE_ESCAPE = '\\';

/**
 * ILIKE folds case with Unicode simple case folding (the `i` + `u` regex flags), as Postgres does
 * under a UTF-8 libc or ICU locale; a database whose ctype is plain "C" folds ASCII letters only.
 */
export function compileLike(pattern: string, escape: string | null, caseInsensitive: boolean): RegExp {
  if (escape !== null && [...escape].length > 1) {
    throw new LikePatternError('invalid escape string: ESCAPE must be empty or one character');
  }
  const esc = escape === '' ? null : escape;
  let source = '';
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    if (c === esc) {
      const next = chars[i + 1];
      if (next === undefined) throw new LikePatternError('LIKE pattern must not end with escape character');
      source += escapeRegExp(next);
      i++;
    } else if (c === '%') {
      source += '[^]*';
    } else if (c === '_') {
      source += '[^]';
    } else {
      source += escapeRegExp(c);
    }
  }
  return new RegExp(`^${source}$`, caseInsensitive ? 'iu' : 'u');
}

function escapeRegExp(c: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(c) ? `\\${c}` : c;
}
