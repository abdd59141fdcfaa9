// The vocabulary visibility rules are written in (SPEC.md VZ1). A rule is a pure function of `Terms`
// that returns a where clause in the engine's subset (sync-server/src/electric/SPEC.md SE8): columns,
// constants, `= ANY(list)`, AND/OR. The viewer appears only through `me()` and `ids(fact)`, so one
// rule renders two ways: with `$n` params for the shape engine, and as SQL over the facts query.
import type { SiteRole } from '../mutations/define';

/** Facts read from the database about who the viewer is (their user id is `$1` in the SQL). */
export const BASE_FACTS = [
  /** Communities the viewer is an active member of (any role). */
  'activeCommunityIds',
  /** Active or pending: a pending requester still sees the community they asked to join. */
  'joinedCommunityIds',
  /** Communities the viewer is an active admin of. */
  'adminCommunityIds',
  /** Events the viewer hosts, manages or checks people in at (any event_hosts role). */
  'hostedEventIds',
  /** Events the viewer has an RSVP or a ticket for. */
  'attendingEventIds',
  'ownTicketIds',
  /** Tiers of the viewer's tickets: a hidden tier stays visible to those who hold one. */
  'ownTicketTierIds',
  /** Drafts the viewer owns or co-writes. */
  'draftIds',
  /** Stories the viewer is an author of. */
  'authoredStoryIds',
  /** Users the viewer blocked and users who blocked the viewer: their content is hidden both ways. */
  'hiddenUserIds',
] as const;

/** Facts that are the rows of another rule (children of events and stories have no visibility column). */
export const DERIVED_FACTS = [
  'visibleEventIds',
  'visibleStoryIds',
  /** Events / stories of communities the viewer administers: their hidden comments stay reviewable. */
  'moderatedEventIds',
  'moderatedStoryIds',
  'visibleCommentIds',
  /** Media used by visible stories, and covers of visible communities and events. */
  'visibleMediaIds',
] as const;

export type BaseFact = (typeof BASE_FACTS)[number];
export type DerivedFact = (typeof DERIVED_FACTS)[number];
export type FactName = BaseFact | DerivedFact;

export function isBaseFact(fact: FactName): fact is BaseFact {
  return (BASE_FACTS as readonly string[]).includes(fact);
}

/** In dependency order: a derived fact only uses facts listed before it. */
export const FACT_ORDER: readonly FactName[] = [...BASE_FACTS, ...DERIVED_FACTS];

/** The fact values of one viewer: sorted id lists (only those a shape needed are loaded). */
export type Facts = Readonly<Partial<Record<FactName, readonly string[]>>>;

/** Who is asking, as the server knows it: never anything a client sent. */
export interface Viewer {
  /** null: anonymous. */
  readonly userId: string | null;
  readonly siteRole: SiteRole;
  readonly facts: Facts;
}

/** What decides a rule's structure (as opposed to its params). */
export interface ViewerKind {
  readonly signedIn: boolean;
  /** Site moderator (SPEC.md VZ6). */
  readonly moderator: boolean;
}

export function kindOf(viewer: Pick<Viewer, 'userId' | 'siteRole'>): ViewerKind {
  const signedIn = viewer.userId !== null;
  return { signedIn, moderator: signedIn && viewer.siteRole === 'moderator' };
}

export interface Terms extends ViewerKind {
  /** The viewer's user id (signed in only). */
  me(): string;
  /** A list of ids, usable as `col = ANY(list)` or `col <> ALL(list)`. */
  ids(fact: FactName): string;
}

/** A where clause for one viewer, or null: every row of the table. */
export type Rule = (t: Terms) => string | null;

type Part = string | false | null;

function join(operator: 'AND' | 'OR', parts: readonly Part[]): string {
  const kept = parts.filter((part): part is string => typeof part === 'string' && part !== '');
  if (kept.length === 0) throw new Error(`${operator} of nothing: a rule must say which rows it keeps`);
  return kept.length === 1 ? (kept[0] as string) : kept.map((part) => `(${part})`).join(` ${operator} `);
}

/** `(a) OR (b)`, leaving out the parts that are `false` (e.g. `t.signedIn && …`). */
export const or = (...parts: Part[]): string => join('OR', parts);
export const and = (...parts: Part[]): string => join('AND', parts);
/** `column::text = 'value'` for an enum column: the engine compares enums by their label (SE9). */
export const is = (column: string, value: string): string => `${column}::text = '${value}'`;
export const anyOf = (column: string, list: string): string => `${column} = ANY(${list})`;
export const noneOf = (column: string, list: string): string => `${column} <> ALL(${list})`;
