// Which of the header's sections a path belongs to (SPEC.md SH2), so its link is marked current. Pure.

export type Section = 'stories' | 'gatherings';

/** First path segment -> section; screens of one feature share its section. */
const SECTION_OF_SEGMENT: Readonly<Record<string, Section>> = {
  stories: 'stories',
  drafts: 'stories',
  events: 'gatherings',
  communities: 'gatherings',
};

/** The section of `pathname` (query and hash ignored), or null for the shell's own screens. */
export function sectionOf(pathname: string): Section | null {
  const first = pathname.split(/[?#]/, 1)[0]?.split('/')[1] ?? '';
  return Object.hasOwn(SECTION_OF_SEGMENT, first) ? (SECTION_OF_SEGMENT[first] ?? null) : null;
}
