// The event form's pure part (GW2 in ./SPEC.md): what a person typed (wall-clock times in the event's
// zone, numbers as text) becomes createEvent / updateEvent args, or a message naming the field.
import { wallClockToInstant } from './time';

export interface EventDraft {
  readonly title: string;
  readonly description: string;
  readonly visibility: 'public' | 'unlisted' | 'community';
  readonly starts: string;
  readonly ends: string;
  readonly timeZone: string;
  readonly placeName: string;
  readonly address: string;
  readonly onlineUrl: string;
  readonly capacity: string;
  readonly requiresApproval: boolean;
  readonly guestLimit: string;
}

export interface EventFields {
  title: string;
  description: string;
  visibility: EventDraft['visibility'];
  startsAt: string;
  endsAt: string;
  timeZone: string;
  placeName: string;
  address: string;
  onlineUrl: string | null;
  capacity: number | null;
  requiresApproval: boolean;
  guestLimit: number;
}

export type DraftResult =
  | { readonly ok: true; readonly fields: EventFields }
  | { readonly ok: false; readonly field: keyof EventDraft; readonly message: string };

function wholeNumber(text: string): number | null | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  return /^\d+$/.test(trimmed) ? Number(trimmed) : undefined;
}

/** [GW2] The draft as mutation fields; times are read on the event's wall clock. */
export function readDraft(draft: EventDraft): DraftResult {
  const fail = (field: keyof EventDraft, message: string): DraftResult => ({ ok: false, field, message });
  if (draft.title.trim() === '') return fail('title', 'Give the event a title.');
  const starts = wallClockToInstant(draft.starts, draft.timeZone);
  if (starts === null) return fail('starts', `Pick when it starts (on the clock in ${draft.timeZone}).`);
  const ends = wallClockToInstant(draft.ends, draft.timeZone);
  if (ends === null) return fail('ends', `Pick when it ends (on the clock in ${draft.timeZone}).`);
  if (ends <= starts) return fail('ends', 'The event must end after it starts.');
  const onlineUrl = draft.onlineUrl.trim();
  if (draft.placeName.trim() === '' && draft.address.trim() === '' && onlineUrl === '')
    return fail('placeName', 'Give a place, an address or a link.');
  if (onlineUrl !== '' && !/^https?:\/\/\S+$/i.test(onlineUrl))
    return fail('onlineUrl', 'A link starts with https:// (or http://).');
  const capacity = wholeNumber(draft.capacity);
  if (capacity === undefined || capacity === 0)
    return fail('capacity', 'Seats: a whole number of 1 or more, or empty for no limit.');
  const guestLimit = wholeNumber(draft.guestLimit);
  if (guestLimit === undefined || (guestLimit ?? 0) > 20)
    return fail('guestLimit', '+1 guests: a whole number from 0 to 20.');
  return {
    ok: true,
    fields: {
      title: draft.title.trim(),
      description: draft.description,
      visibility: draft.visibility,
      startsAt: starts.toISOString(),
      endsAt: ends.toISOString(),
      timeZone: draft.timeZone,
      placeName: draft.placeName.trim(),
      address: draft.address.trim(),
      onlineUrl: onlineUrl === '' ? null : onlineUrl,
      capacity,
      requiresApproval: draft.requiresApproval,
      guestLimit: guestLimit ?? 0,
    },
  };
}
