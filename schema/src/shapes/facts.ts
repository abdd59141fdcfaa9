// How a viewer's facts are read (SPEC.md VZ10): one SQL statement, only the facts a shape needs. Base
// facts read the viewer's relations ($1 is their user id, from the session); derived facts are the
// rows of another table's rule, rendered as SQL over the earlier facts, so a child table (story
// emotions, ticket tiers…) follows its parent's rule exactly, with no second copy of it.
import { rules } from './rules';
import {
  anyOf,
  FACT_ORDER,
  isBaseFact,
  type BaseFact,
  type DerivedFact,
  type FactName,
  type Rule,
  type Terms,
  type ViewerKind,
} from './terms';

const BASE_SQL: Record<BaseFact, string> = {
  activeCommunityIds: `select community_id from memberships where user_id = $1 and status = 'active'`,
  joinedCommunityIds: `select community_id from memberships where user_id = $1 and status in ('active', 'pending')`,
  adminCommunityIds: `select community_id from memberships where user_id = $1 and status = 'active' and role = 'admin'`,
  hostedEventIds: `select event_id from event_hosts where user_id = $1`,
  attendingEventIds: `select event_id from rsvps where user_id = $1 union select event_id from tickets where holder_id = $1`,
  ownTicketIds: `select id from tickets where holder_id = $1`,
  ownTicketTierIds: `select tier_id from tickets where holder_id = $1`,
  draftIds: `select draft_id from draft_authors where user_id = $1 union select id from drafts where owner_id = $1`,
  authoredStoryIds: `select story_id from story_authors where user_id = $1 union select id from stories where published_by = $1`,
  hiddenUserIds: `select blocked_id from blocks where blocker_id = $1 union select blocker_id from blocks where blocked_id = $1`,
};

/** A derived fact: `column` of the rows of `table` that `rule` keeps, over every source. */
interface Projection {
  readonly table: string;
  readonly column: string;
  readonly rule: Rule;
}

const DERIVED: Record<DerivedFact, readonly Projection[]> = {
  visibleEventIds: [{ table: 'events', column: 'id', rule: rules.events }],
  visibleStoryIds: [{ table: 'stories', column: 'id', rule: rules.stories }],
  moderatedEventIds: [
    { table: 'events', column: 'id', rule: (t) => anyOf('community_id', t.ids('adminCommunityIds')) },
  ],
  moderatedStoryIds: [
    { table: 'stories', column: 'id', rule: (t) => anyOf('community_id', t.ids('adminCommunityIds')) },
  ],
  visibleCommentIds: [{ table: 'comments', column: 'id', rule: rules.comments }],
  visibleMediaIds: [
    { table: 'story_media', column: 'media_id', rule: rules.story_media },
    { table: 'communities', column: 'cover_media_id', rule: rules.communities },
    { table: 'events', column: 'cover_media_id', rule: rules.events },
  ],
};

/** Terms that only note which facts a rule asks for. */
function recordingTerms(kind: ViewerKind, used: Set<FactName>): Terms {
  return {
    ...kind,
    me: () => {
      if (!kind.signedIn) throw new Error('a rule asked for the user id of an anonymous viewer');
      return '$me';
    },
    ids: (fact) => {
      if (!kind.signedIn && isBaseFact(fact))
        throw new Error(`a rule asked for ${fact} of an anonymous viewer, who has none`);
      used.add(fact);
      return `$${fact}`;
    },
  };
}

/** The facts a rule needs for this kind of viewer, with what derived ones need, in dependency order. */
export function factsNeeded(rule: Rule, kind: ViewerKind): FactName[] {
  const used = new Set<FactName>();
  rule(recordingTerms(kind, used));
  // Derived facts only use facts before them in FACT_ORDER: one pass from the end closes the set.
  for (const fact of [...FACT_ORDER].reverse()) {
    if (used.has(fact) && !isBaseFact(fact))
      for (const source of DERIVED[fact]) source.rule(recordingTerms(kind, used));
  }
  return FACT_ORDER.filter((fact) => used.has(fact));
}

const cteName = (fact: FactName): string => `f_${fact.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`;

/** Terms that render a rule as SQL over the facts' CTEs. */
function sqlTerms(kind: ViewerKind): Terms {
  return {
    ...kind,
    me: () => '$1::uuid',
    // The cast keeps `ANY((select …))` from reading as ANY(subquery) over rows of arrays.
    ids: (fact) => `(select v from ${cteName(fact)})::uuid[]`,
  };
}

function factSource(fact: FactName, kind: ViewerKind): string {
  if (isBaseFact(fact)) return BASE_SQL[fact];
  return DERIVED[fact]
    .map(({ table, column, rule }) => {
      const where = rule(sqlTerms(kind));
      return `select ${column} from ${table}${where === null ? '' : ` where ${where}`}`;
    })
    .join(' union ');
}

export interface FactsQuery {
  /** One statement; its only parameter is the user id ($1), when signed in. */
  readonly text: string;
  readonly facts: readonly FactName[];
  readonly signedIn: boolean;
}

/**
 * The statement that loads `facts` in one round trip: one row, one sorted `text[]` column per fact
 * (sorted, so equal facts give equal params and an equal fingerprint).
 */
export function factsQuery(facts: readonly FactName[], kind: ViewerKind): FactsQuery {
  const ordered = FACT_ORDER.filter((fact) => facts.includes(fact));
  const ctes = ordered.map(
    (fact) =>
      `${cteName(fact)} as (select coalesce(array_agg(distinct x order by x), '{}') as v ` +
      `from (${factSource(fact, kind)}) as s(x) where x is not null)`,
  );
  const columns = ordered.map((fact) => `(select v from ${cteName(fact)})::text[] as "${fact}"`);
  // $1 is always referenced, so its type is known even when no fact uses it.
  if (kind.signedIn) columns.unshift('$1::uuid as viewer');
  if (columns.length === 0) columns.push('true as nothing');
  const text = `${ctes.length > 0 ? `with ${ctes.join(',\n')}\n` : ''}select ${columns.join(', ')}`;
  return { text, facts: ordered, signedIn: kind.signedIn };
}
