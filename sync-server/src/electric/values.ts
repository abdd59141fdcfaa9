// Typed values for where-clause evaluation: Postgres TEXT output (what pgoutput and `col::text` give)
// parsed into comparable JS values, compared with Postgres semantics, and keyed for the routing index.
// Rules: SPEC.md SE13 (numbers), SE14 (text, collation), SE15 (bool, uuid, time).
import Decimal from 'decimal.js';

/** Column types a where clause may reference (enums only through `::text`, see SE9). */
export const SCALAR_TYPES = [
  'bool',
  'int2',
  'int4',
  'int8',
  'numeric',
  'float4',
  'float8',
  'text',
  'varchar',
  'bpchar',
  'name',
  'uuid',
  'timestamptz',
  'timestamp',
  'date',
] as const;
export type ScalarType = (typeof SCALAR_TYPES)[number];

/** Values of one family compare with each other; a comparison resolves both sides to one family. */
export type Family =
  'bool' | 'int' | 'numeric' | 'float' | 'text' | 'uuid' | 'timestamptz' | 'timestamp' | 'date';

/**
 * bool: boolean · int: bigint · numeric: Decimal (NaN and ±Infinity included) · float: number ·
 * text and uuid: string · timestamptz/timestamp: bigint µs since 1970 · date: number of days since 1970.
 */
export type Value = boolean | bigint | number | string | Decimal;

export const FAMILY_OF: Readonly<Record<ScalarType, Family>> = {
  bool: 'bool',
  int2: 'int',
  int4: 'int',
  int8: 'int',
  numeric: 'numeric',
  float4: 'float',
  float8: 'float',
  text: 'text',
  varchar: 'text',
  bpchar: 'text',
  name: 'text',
  uuid: 'uuid',
  timestamptz: 'timestamptz',
  timestamp: 'timestamp',
  date: 'date',
};

export function isScalarType(type: string): type is ScalarType {
  return (SCALAR_TYPES as readonly string[]).includes(type);
}

/** A text that is not valid input for a type; the parser turns it into a 400, the evaluator into a bug report. */
export class InvalidValueError extends Error {
  constructor(
    readonly type: ScalarType,
    readonly text: string,
    readonly reason: 'syntax' | 'range' = 'syntax',
  ) {
    super(
      reason === 'range'
        ? `value "${text}" is out of range for type ${type}`
        : `invalid syntax for type ${type}: ${text}`,
    );
    this.name = 'InvalidValueError';
  }
}

const INT_RANGE: Readonly<Record<'int2' | 'int4' | 'int8', readonly [bigint, bigint]>> = {
  int2: [-32768n, 32767n],
  int4: [-2147483648n, 2147483647n],
  int8: [-9223372036854775808n, 9223372036854775807n],
};

// Postgres' datetime sentinels (DT_NOBEGIN / DT_NOEND): -infinity and infinity sort outside every instant.
export const TIMESTAMP_NEG_INFINITY = -(2n ** 63n);
export const TIMESTAMP_POS_INFINITY = 2n ** 63n - 1n;

const INT_PATTERN = /^\s*[+-]?\d+\s*$/;
const DECIMAL_PATTERN = /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i;
const FLOAT_SPECIAL: Readonly<Record<string, number>> = {
  nan: NaN,
  infinity: Infinity,
  '+infinity': Infinity,
  '-infinity': -Infinity,
  inf: Infinity,
  '+inf': Infinity,
  '-inf': -Infinity,
};
const NUMERIC_SPECIAL: Readonly<Record<string, string>> = {
  nan: 'NaN',
  infinity: 'Infinity',
  '+infinity': 'Infinity',
  '-infinity': '-Infinity',
  inf: 'Infinity',
  '+inf': 'Infinity',
  '-inf': '-Infinity',
};
const UUID_PATTERN = /^([0-9a-f]{4}-?){7}[0-9a-f]{4}$/i;

/** Parses the Postgres text form of a value of `type` (input-function rules, lenient as Postgres is). */
export function parseValue(type: ScalarType, text: string): Value {
  switch (type) {
    case 'bool':
      return parseBool(text);
    case 'int2':
    case 'int4':
    case 'int8': {
      if (!INT_PATTERN.test(text)) throw new InvalidValueError(type, text);
      const n = BigInt(text.trim());
      const [min, max] = INT_RANGE[type];
      if (n < min || n > max) throw new InvalidValueError(type, text, 'range');
      return n;
    }
    case 'numeric': {
      const special = NUMERIC_SPECIAL[text.trim().toLowerCase()];
      if (special !== undefined) return new Decimal(special);
      if (!DECIMAL_PATTERN.test(text)) throw new InvalidValueError(type, text);
      return new Decimal(text.trim());
    }
    case 'float4':
    case 'float8': {
      const trimmed = text.trim();
      const special = FLOAT_SPECIAL[trimmed.toLowerCase()];
      const n = special ?? (DECIMAL_PATTERN.test(trimmed) ? Number(trimmed) : undefined);
      if (n === undefined) throw new InvalidValueError(type, text);
      if (special === undefined && !Number.isFinite(n)) throw new InvalidValueError(type, text, 'range');
      // float4 keeps single precision: `1.1::float4 = 1.1` is false in Postgres, and here too.
      return type === 'float4' ? Math.fround(n) : n;
    }
    case 'bpchar':
      // character(n) ignores trailing spaces in comparisons and when cast to text.
      return text.replace(/ +$/, '');
    case 'text':
    case 'varchar':
    case 'name':
      return text;
    case 'uuid':
      return parseUuid(text);
    case 'timestamptz':
      return parseTimestamp(type, text, true);
    case 'timestamp':
      return parseTimestamp(type, text, false);
    case 'date':
      return parseDate(text);
  }
}

function parseBool(text: string): boolean {
  const s = text.trim().toLowerCase();
  if (s === '1' || s === 'on') return true;
  if (s === '0') return false;
  if (s.length > 0 && ('true'.startsWith(s) || 'yes'.startsWith(s))) return true;
  if (s.length > 0 && ('false'.startsWith(s) || 'no'.startsWith(s))) return false;
  if (s.length >= 2 && 'off'.startsWith(s)) return false;
  throw new InvalidValueError('bool', text);
}

function parseUuid(text: string): string {
  let s = text.trim();
  if (s.startsWith('{') && s.endsWith('}')) s = s.slice(1, -1);
  if (!UUID_PATTERN.test(s)) throw new InvalidValueError('uuid', text);
  return s.replaceAll('-', '').toLowerCase();
}

const DATETIME_PATTERN =
  /^(\d{4,})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(z|[+-]\d{1,2}(?::?\d{2}(?::?\d{2})?)?)?(?:\s+(bc))?$/i;

interface DateTimeParts {
  days: number;
  micros: bigint;
  offsetSeconds: number;
}

function parseDateTime(type: ScalarType, text: string): DateTimeParts | 'infinity' | '-infinity' {
  const s = text.trim().toLowerCase();
  if (s === 'infinity' || s === '+infinity') return 'infinity';
  if (s === '-infinity') return '-infinity';
  if (s === 'epoch') return { days: 0, micros: 0n, offsetSeconds: 0 };
  const m = DATETIME_PATTERN.exec(s);
  if (!m) throw new InvalidValueError(type, text);
  const [, y, mo, d, h = '0', mi = '0', sec = '0', frac = '', tz, bc] = m;
  let year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (bc !== undefined) year = 1 - year; // 1 BC is astronomical year 0
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    throw new InvalidValueError(type, text, 'range');
  }
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(sec);
  // Postgres rounds input to microseconds.
  const fracMicros = Math.round(Number(`0.${frac || '0'}`) * 1e6);
  const isEndOfDay = hour === 24 && minute === 0 && second === 0 && fracMicros === 0;
  if ((hour > 23 && !isEndOfDay) || minute > 59 || second > 59)
    throw new InvalidValueError(type, text, 'range');
  const micros = BigInt(((hour * 60 + minute) * 60 + second) * 1_000_000 + fracMicros);
  return {
    days: daysFromCivil(year, month, day),
    micros,
    offsetSeconds: tz === undefined ? 0 : parseOffset(tz),
  };
}

function parseOffset(tz: string): number {
  if (tz === 'z') return 0;
  const sign = tz.startsWith('-') ? -1 : 1;
  const digits = tz.slice(1).replaceAll(':', '');
  const hh = Number(digits.slice(0, digits.length <= 2 ? digits.length : 2));
  const mm = Number(digits.slice(2, 4) || '0');
  const ss = Number(digits.slice(4, 6) || '0');
  return sign * (hh * 3600 + mm * 60 + ss);
}

const MICROS_PER_DAY = 86_400_000_000n;

// Without an explicit offset a timestamptz literal is read in UTC: Electric runs its sessions with
// TimeZone=UTC, and so must the replication connection that produces the row text.
function parseTimestamp(type: ScalarType, text: string, withZone: boolean): bigint {
  const parts = parseDateTime(type, text);
  if (parts === 'infinity') return TIMESTAMP_POS_INFINITY;
  if (parts === '-infinity') return TIMESTAMP_NEG_INFINITY;
  const offset = withZone ? BigInt(parts.offsetSeconds) * 1_000_000n : 0n;
  return BigInt(parts.days) * MICROS_PER_DAY + parts.micros - offset;
}

function parseDate(text: string): number {
  const parts = parseDateTime('date', text);
  if (parts === 'infinity') return Infinity;
  if (parts === '-infinity') return -Infinity;
  return parts.days;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  return [31, isLeapYear(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
}

/** Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Converts a value to a wider family, as Postgres' implicit casts do before comparing. */
export function widen(value: Value, from: Family, to: Family): Value {
  if (from === to) return value;
  if (from === 'int' && to === 'numeric') return new Decimal((value as bigint).toString());
  if (from === 'int' && to === 'float') return Number(value);
  if (from === 'numeric' && to === 'float') return Number((value as Decimal).toString());
  if (from === 'date' && (to === 'timestamp' || to === 'timestamptz')) {
    const days = value as number;
    if (days === Infinity) return TIMESTAMP_POS_INFINITY;
    if (days === -Infinity) return TIMESTAMP_NEG_INFINITY;
    return BigInt(days) * MICROS_PER_DAY;
  }
  if (from === 'timestamp' && to === 'timestamptz') return value; // session TimeZone is UTC
  throw new Error(`no implicit conversion from ${from} to ${to}`);
}

/** The family both sides of a comparison are converted to, or undefined when Postgres has no operator. */
export function commonFamily(a: Family, b: Family): Family | undefined {
  if (a === b) return a;
  const pair = new Set([a, b]);
  const has = (x: Family, y: Family): boolean => pair.has(x) && pair.has(y);
  if (has('int', 'numeric')) return 'numeric';
  if (has('int', 'float') || has('numeric', 'float')) return 'float';
  if (has('date', 'timestamp')) return 'timestamp';
  if (has('date', 'timestamptz') || has('timestamp', 'timestamptz')) return 'timestamptz';
  return undefined;
}

/** Total order of two non-null values of one family, as Postgres' btree operators define it. */
export function compareValues(family: Family, a: Value, b: Value): number {
  switch (family) {
    case 'bool':
      return Number(a) - Number(b);
    case 'int':
    case 'timestamp':
    case 'timestamptz':
      return a === b ? 0 : (a as bigint) < (b as bigint) ? -1 : 1;
    case 'date':
      return a === b ? 0 : (a as number) < (b as number) ? -1 : 1;
    case 'numeric':
      return compareNumeric(a as Decimal, b as Decimal);
    case 'float':
      return compareFloat(a as number, b as number);
    case 'text':
    case 'uuid':
      return compareCodePoints(a as string, b as string);
  }
}

// Postgres sorts NaN above every other number and treats NaN = NaN; IEEE comparisons do neither.
function compareNumeric(a: Decimal, b: Decimal): number {
  if (a.isNaN() || b.isNaN()) return Number(a.isNaN()) - Number(b.isNaN());
  return a.cmp(b);
}

function compareFloat(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number(Number.isNaN(a)) - Number(Number.isNaN(b));
  return a === b ? 0 : a < b ? -1 : 1;
}

/**
 * Code point order, which is byte order of UTF-8: what Postgres does under the C collation (and any
 * deterministic byte-order collation). JS `<` compares UTF-16 units, which misorders U+E000..U+FFFF
 * against astral characters, so the first differing unit is remapped.
 */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

function codePointRank(unit: number): number {
  if (unit >= 0xe000) return unit - 0x800;
  if (unit >= 0xd800) return unit + 0x2000;
  return unit;
}

/** A string equal for two values iff they are equal (SE19): the routing index's hash key. */
export function valueKey(family: Family, value: Value): string {
  switch (family) {
    case 'bool':
      return value ? 't' : 'f';
    case 'numeric': {
      const d = value as Decimal;
      if (d.isNaN()) return 'NaN';
      return d.isZero() ? '0' : d.toFixed();
    }
    case 'float': {
      const n = value as number;
      return Object.is(n, -0) ? '0' : String(n);
    }
    default:
      return String(value);
  }
}
