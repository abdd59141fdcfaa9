// Discovery over the local replica (GW5 in ./SPEC.md): upcoming events matched by words in any order,
// without regard to case or accents, filtered by community and from a day on, grouped by day on the
// viewer's clock. Pure: rows come from a live query; the query string is the user's.
import { dayKey } from './time';

export interface Findable {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly place_name: string;
  readonly address: string;
  readonly community_id: string;
  readonly community_name: string;
  readonly starts_ms: number;
}

export interface EventFilter {
  readonly query: string;
  /** Only this community's events, or every community's. */
  readonly communityId: string | null;
  /** Only events on or after this day (yyyy-MM-dd, viewer's clock), or from now on. */
  readonly fromDay: string | null;
}

/** Lower case, accents dropped ("Café" and "cafe" match), whitespace folded. */
export function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLocaleLowerCase('und').replace(/\s+/g, ' ').trim();
}

/** The words of a query; empty means "everything". */
export function queryWords(query: string): string[] {
  return fold(query)
    .split(' ')
    .filter((word) => word.length > 0);
}

/** [GW5] Every word appears somewhere in the title, description, place or community name. */
export function matches(event: Findable, words: readonly string[]): boolean {
  if (words.length === 0) return true;
  const haystack = fold(
    [event.title, event.description, event.place_name, event.address, event.community_name].join(' '),
  );
  return words.every((word) => haystack.includes(word));
}

/** [GW5] The events the filter keeps, in start order. */
export function findEvents<E extends Findable>(events: readonly E[], filter: EventFilter, zone: string): E[] {
  const words = queryWords(filter.query);
  return events
    .filter((event) => filter.communityId === null || event.community_id === filter.communityId)
    .filter((event) => filter.fromDay === null || dayKey(event.starts_ms, zone) >= filter.fromDay)
    .filter((event) => matches(event, words))
    .sort((a, b) => a.starts_ms - b.starts_ms || a.id.localeCompare(b.id));
}

/** [GW5] Events grouped under the day they start on the viewer's clock, days in order. */
export function byDay<E extends Findable>(
  events: readonly E[],
  zone: string,
): { day: string; events: E[] }[] {
  const groups = new Map<string, E[]>();
  for (const event of events) {
    const day = dayKey(event.starts_ms, zone);
    const group = groups.get(day);
    if (group) group.push(event);
    else groups.set(day, [event]);
  }
  return [...groups.entries()].map(([day, grouped]) => ({ day, events: grouped }));
}
