// Free tags (cultures, places, languages) are made on first use; two people who type "São Paulo" and
// "sao  paulo" mean one tag, so a tag is found by (kind, slug) and keeps the label it was made with.
import type { tagKind } from '../tables/stories';

export type TagKind = (typeof tagKind.values)[number];

export const TAG_LABEL_MAX = 64;
export const TAG_SLUG_MAX = 64;

export interface NormalTag {
  readonly kind: TagKind;
  readonly slug: string;
  readonly label: string;
}

/** The label as people see it: NFC, single spaces, trimmed. */
export function tagLabel(label: string): string {
  return label.normalize('NFC').replace(/\s+/gu, ' ').trim();
}

/** A non-ASCII character as `_` + its code point in base 36: slugs stay ASCII and never collide. */
const spell = (char: string): string => `_${(char.codePointAt(0) ?? 0).toString(36)}`;

/**
 * The slug that identifies a tag: lower case, Latin accents folded ("São" -> "sao"), anything but
 * letters and digits folded into single hyphens, other scripts spelled out by code point ("日本" ->
 * "_k4l_kdo"): the `tags` CHECK (`^[\w-]+$`) follows the database's locale, where `\w` may be ASCII
 * only. Empty when the label has no letter or digit.
 */
export function tagSlug(label: string): string {
  const folded = label
    .normalize('NFKD')
    .replace(/(\p{Script=Latin})\p{M}+/gu, '$1')
    .normalize('NFC')
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/gu, '')
    .replace(/[^a-z0-9-]/gu, spell);
  return folded.slice(0, TAG_SLUG_MAX).replace(/-+$/u, '');
}

export function normalizeTag(kind: TagKind, label: string): NormalTag {
  return { kind, slug: tagSlug(label), label: tagLabel(label) };
}
