// How gatherings write and read times: an event's span on the viewer's clock with the event's own
// clock beside it (where people will be), and the wall-clock input of a form read in the event's IANA
// zone. Pure: instants, zones and locale are inputs (GW1, GW2 in ./SPEC.md).
import { formatInTimeZone, fromZonedTime } from 'date-fns-tz';

export interface EventWhen {
  /** The span on the viewer's clock, with the zone's short name. */
  readonly local: string;
  /** The span on the event's wall clock, or null when it reads the same as `local`. */
  readonly atEvent: string | null;
}

const SPAN: Intl.DateTimeFormatOptions = {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  hour: 'numeric',
  minute: '2-digit',
  timeZoneName: 'short',
};

function span(startMs: number, endMs: number, locale: string, timeZone: string): string | null {
  try {
    const format = new Intl.DateTimeFormat(locale, { ...SPAN, timeZone });
    return endMs > startMs ? format.formatRange(startMs, endMs) : format.format(startMs);
  } catch {
    return null; // an unknown zone name: show only what can be shown
  }
}

/** [GW1] Both clocks of an event: the viewer's and, when it differs, the event's time zone. */
export function eventWhen(
  startMs: number,
  endMs: number,
  eventZone: string,
  viewerZone: string,
  locale: string,
): EventWhen {
  const local = span(startMs, endMs, locale, viewerZone) ?? span(startMs, endMs, locale, 'UTC') ?? '';
  const atEvent = span(startMs, endMs, locale, eventZone);
  return { local, atEvent: atEvent === local ? null : atEvent };
}

/** [GW1] The calendar day of an instant on the viewer's clock, as a heading ("Monday 23 November"). */
export function dayHeading(ms: number, viewerZone: string, locale: string): string {
  try {
    return new Intl.DateTimeFormat(locale, {
      weekday: 'long',
      day: 'numeric',
      month: 'long',
      timeZone: viewerZone,
    }).format(ms);
  } catch {
    return new Date(ms).toISOString().slice(0, 10);
  }
}

/** [GW1] The day key (yyyy-MM-dd) of an instant in a zone: events group under it. */
export function dayKey(ms: number, zone: string): string {
  try {
    return formatInTimeZone(ms, zone, 'yyyy-MM-dd');
  } catch {
    return new Date(ms).toISOString().slice(0, 10);
  }
}

/** [GW1] A clock time on the viewer's clock ("19:02"), e.g. for "already checked in at …". */
export function clockTime(ms: number, viewerZone: string, locale: string): string {
  try {
    return new Intl.DateTimeFormat(locale, {
      hour: '2-digit',
      minute: '2-digit',
      timeZone: viewerZone,
    }).format(ms);
  } catch {
    return new Date(ms).toISOString().slice(11, 16);
  }
}

const WALL_CLOCK = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/;

/**
 * [GW2] A form's wall-clock value (`<input type="datetime-local">`, "2026-11-23T19:00") read in the
 * event's zone, as an instant; null when it is not such a value or the zone is unknown.
 */
export function wallClockToInstant(value: string, zone: string): Date | null {
  if (!WALL_CLOCK.test(value)) return null;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
  } catch {
    return null;
  }
  const instant = fromZonedTime(value, zone);
  return Number.isNaN(instant.getTime()) ? null : instant;
}

/** [GW2] The inverse: an instant as the wall-clock value a datetime-local field shows in `zone`. */
export function instantToWallClock(ms: number, zone: string): string {
  try {
    return formatInTimeZone(ms, zone, "yyyy-MM-dd'T'HH:mm");
  } catch {
    return formatInTimeZone(ms, 'UTC', "yyyy-MM-dd'T'HH:mm");
  }
}

/** The viewer's zone as the browser reports it. */
export function viewerZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

export function viewerLocale(): string {
  return typeof navigator === 'undefined' ? 'en' : navigator.language || 'en';
}
