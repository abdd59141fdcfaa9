// Argument field schemas shared by mutations: limits match the CHECKs in the migrations, and text
// never carries control characters (NUL breaks Postgres text) or lone surrogates.
import { z } from 'zod';

// Control characters (C0, DEL, C1) except tab, line feed and carriage return in multi-line text.
// eslint-disable-next-line no-control-regex
const CONTROL_SINGLE_LINE = /[\u0000-\u001F\u007F-\u009F]/;
// eslint-disable-next-line no-control-regex
const CONTROL_MULTILINE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
const LONE_SURROGATE = /\p{Cs}/u;

/** An id of a row that already exists (made by any client or the server). */
export const existingId = z.uuid();

/** The id of a row this mutation creates: made by the client, UUID v7 (time-ordered). */
export const newId = z.uuid({ version: 'v7' });

/** One line of text, trimmed, 1..max characters (a name, a title). */
export function line(max: number) {
  return z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((value) => !CONTROL_SINGLE_LINE.test(value), 'must not contain control characters or line breaks')
    .refine((value) => !LONE_SURROGATE.test(value), 'must be valid Unicode text');
}

/** Free text that may span lines, 0..max characters (a bio, a description). */
export function prose(max: number) {
  return z
    .string()
    .max(max)
    .refine((value) => !CONTROL_MULTILINE.test(value), 'must not contain control characters')
    .refine((value) => !LONE_SURROGATE.test(value), 'must be valid Unicode text');
}

/** The URL name of a community: lower-case words joined by single hyphens. */
export const slug = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'use lower-case letters, digits and single hyphens, e.g. "lagos-poets"');

function canonicalLocale(value: string): string | undefined {
  try {
    return Intl.getCanonicalLocales(value)[0];
  } catch {
    return undefined;
  }
}

function canonicalTimeZone(value: string): string | undefined {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/** A BCP 47 language tag, stored in its canonical spelling ("pt-br" -> "pt-BR"). */
export const locale = z
  .string()
  .min(2)
  .max(35)
  .refine((value) => canonicalLocale(value) !== undefined, 'must be a language tag such as "en" or "pt-BR"')
  .overwrite((value) => canonicalLocale(value) ?? value);

/** An IANA time zone, stored in its canonical spelling ("utc" -> "UTC"). */
export const timeZone = z
  .string()
  .min(1)
  .max(64)
  .refine(
    (value) => canonicalTimeZone(value) !== undefined,
    'must be an IANA time zone such as "Europe/Paris" or "UTC"',
  )
  .overwrite((value) => canonicalTimeZone(value) ?? value);
