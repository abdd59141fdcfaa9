// The scalar functions of the where subset (SPEC.md SE8) on the values of values.ts: Postgres' case
// mapping and character count, the text concat() prints for a value, and the conversion of a value
// into a narrower type of its family (what COALESCE does to the argument it returns).
import type { ScalarType, Value } from './values';

const NON_ASCII = /[\u0080-\uffff]/; // surrogates included

/**
 * lower(text): each character by its Unicode simple case mapping, as Postgres does under a UTF-8 libc
 * locale or the builtin C.UTF-8 provider. JS applies the full mapping, which differs only for İ
 * (adds U+0307) and a final Σ (ς); one character at a time has no final-sigma context.
 */
export function lowerText(s: string): string {
  if (!NON_ASCII.test(s)) return s.toLowerCase();
  let out = '';
  for (const c of s) out += c === '\u0130' ? 'i' : oneCodePointOr(c.toLowerCase(), c);
  return out;
}

/** upper(text): the simple mapping too, so ß, ŉ and the ligatures stay as they are (no `SS`). */
export function upperText(s: string): string {
  if (!NON_ASCII.test(s)) return s.toUpperCase();
  let out = '';
  for (const c of s) {
    const full = c.toUpperCase();
    out += isOneCodePoint(full) ? full : String.fromCodePoint(simpleUpperOfExpanding(c.codePointAt(0) ?? 0));
  }
  return out;
}

/**
 * The simple uppercase of a character whose full uppercase is several: Greek letters with
 * ypogegrammeni take their prosgegrammeni form (ᾳ → ᾼ, where the full mapping spells ΑΙ); the
 * others (ß, ŉ, ǰ, ligatures, …) have none and stay.
 */
function simpleUpperOfExpanding(cp: number): number {
  if ((cp >= 0x1f80 && cp <= 0x1f87) || (cp >= 0x1f90 && cp <= 0x1f97) || (cp >= 0x1fa0 && cp <= 0x1fa7)) {
    return cp + 8;
  }
  if (cp === 0x1fb3 || cp === 0x1fc3 || cp === 0x1ff3) return cp + 9;
  return cp;
}

function isOneCodePoint(s: string): boolean {
  return s.length === 1 || (s.length === 2 && (s.codePointAt(0) ?? 0) > 0xffff);
}

function oneCodePointOr(mapped: string, original: string): string {
  return isOneCodePoint(mapped) ? mapped : original;
}

/** length(text): characters (code points), not UTF-16 units. */
export function charLength(s: string): bigint {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const unit = s.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      n--;
      i++;
    }
  }
  return BigInt(n);
}

/** The text Postgres prints for a text, integer or boolean value (the values concat() accepts). */
export function printValue(value: Value): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 't' : 'f';
    default:
      throw new Error(`concat() cannot print ${String(value)}`);
  }
}

const NAME_MAX_BYTES = 63; // NAMEDATALEN - 1

/**
 * A value of `type`'s family converted into `type` by an implicit cast, or undefined when every value
 * of the family already is one: float4 keeps single precision, bpchar drops trailing spaces (they do
 * not count in comparisons), name keeps its first 63 bytes (whole characters).
 */
export function narrowing(type: ScalarType): ((value: Value) => Value) | undefined {
  switch (type) {
    case 'float4':
      return (v) => Math.fround(v as number);
    case 'bpchar':
      return (v) => (v as string).replace(/ +$/, '');
    case 'name':
      return (v) => clipName(v as string);
    default:
      return undefined;
  }
}

function clipName(s: string): string {
  let bytes = 0;
  let end = 0;
  for (const c of s) {
    const cp = c.codePointAt(0) ?? 0;
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (bytes > NAME_MAX_BYTES) return s.slice(0, end);
    end += c.length;
  }
  return s;
}
