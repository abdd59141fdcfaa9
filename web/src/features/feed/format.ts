// How the feed writes times and languages: an event's start in the viewer's zone and, when it differs,
// in the event's own zone (where people will be). Pure: locale and zones are inputs.

export interface EventTimes {
  /** The start as the viewer's clock shows it, with the zone's short name. */
  readonly local: string;
  /** The start on the event's wall clock, or null when it reads the same as `local`. */
  readonly atEvent: string | null;
}

function format(ms: number, locale: string, timeZone: string): string | null {
  try {
    return new Intl.DateTimeFormat(locale, {
      timeZone,
      weekday: 'short',
      day: 'numeric',
      month: 'short',
      hour: 'numeric',
      minute: '2-digit',
      timeZoneName: 'short',
    }).format(ms);
  } catch {
    return null; // an unknown zone name: show only what can be shown
  }
}

/** [FD1] Both clocks of an event: the viewer's and, if different, the event's time zone. */
export function eventTimes(
  startMs: number,
  eventZone: string,
  viewerZone: string,
  locale: string,
): EventTimes {
  const local = format(startMs, locale, viewerZone) ?? format(startMs, locale, 'UTC') ?? '';
  const atEvent = format(startMs, locale, eventZone);
  return { local, atEvent: atEvent === local ? null : atEvent };
}

/** [FD2] A story's language tag as a name in the viewer's language ("es" -> "Spanish"), else the tag. */
export function languageName(tag: string, locale: string): string {
  try {
    return new Intl.DisplayNames([locale], { type: 'language' }).of(tag) ?? tag;
  } catch {
    return tag;
  }
}
