// Who may see which rows of each synced table (SPEC.md VZ1–VZ9), one rule per table. PRODUCT.md and
// ARCHITECTURE.md "Who syncs what" are the source; the catalogue (./catalogue) names the shapes.
// Enums are compared as `col::text` (the engine's rule SE9); lists are facts (./terms).
import { and, anyOf, is, noneOf, or, type Rule, type Terms } from './terms';

const me = (t: Terms, column: string): string => `${column} = ${t.me()}`;

/** VZ3: public + published, or community + published for active members; never from hidden users. */
const storyReadable = (t: Terms): string =>
  t.signedIn
    ? and(
        is('status', 'published'),
        or(
          is('visibility', 'public'),
          and(is('visibility', 'community'), anyOf('community_id', t.ids('activeCommunityIds'))),
        ),
        noneOf('published_by', t.ids('hiddenUserIds')),
      )
    : and(is('status', 'published'), is('visibility', 'public'));

export const rules = {
  // VZ1 the same for everyone.
  users: () => 'deleted_at IS NULL',
  emotions: () => null,
  emotion_labels: () => null,
  tags: () => null,
  // Public keys of ticket signatures, for offline checks at the door (gatherings SPEC.md GA23).
  signing_keys: () => null,

  // VZ2 communities: public ones, and those the viewer belongs to or asked to join.
  communities: (t) => or(is('visibility', 'public'), t.signedIn && anyOf('id', t.ids('joinedCommunityIds'))),
  memberships: (t) =>
    or(
      me(t, 'user_id'),
      and(anyOf('community_id', t.ids('activeCommunityIds')), is('status', 'active')),
      anyOf('community_id', t.ids('adminCommunityIds')),
    ),
  follows: (t) => me(t, 'follower_id'),
  blocks: (t) => me(t, 'blocker_id'),

  // VZ4 events: public ones; community-only and unlisted ones to active members of their community;
  // events the viewer hosts; unlisted ones the viewer has an RSVP or ticket for (a community-only
  // event is lost with the membership, RSVP or not).
  events: (t) =>
    or(
      is('visibility', 'public'),
      t.signedIn && anyOf('community_id', t.ids('activeCommunityIds')),
      t.signedIn && anyOf('id', t.ids('hostedEventIds')),
      t.signedIn && and(anyOf('id', t.ids('attendingEventIds')), is('visibility', 'unlisted')),
    ),
  event_hosts: (t) => anyOf('event_id', t.ids('visibleEventIds')),
  ticket_tiers: (t) =>
    and(
      anyOf('event_id', t.ids('visibleEventIds')),
      or(
        'hidden = false',
        t.signedIn && anyOf('event_id', t.ids('hostedEventIds')),
        t.signedIn && anyOf('id', t.ids('ownTicketTierIds')),
      ),
    ),
  // VZ5 own rows, and the guest list (without ticket passes) of events the viewer hosts.
  rsvps: (t) => or(me(t, 'user_id'), anyOf('event_id', t.ids('hostedEventIds'))),
  tickets: (t) => or(me(t, 'holder_id'), anyOf('event_id', t.ids('hostedEventIds'))),
  ticket_passes: (t) => me(t, 'holder_id'),
  check_ins: (t) => or(anyOf('ticket_id', t.ids('ownTicketIds')), anyOf('event_id', t.ids('hostedEventIds'))),

  // VZ7 media: the viewer's own uploads, and ready media that visible rows use.
  media: (t) =>
    or(t.signedIn && me(t, 'owner_id'), and(anyOf('id', t.ids('visibleMediaIds')), is('status', 'ready'))),

  // VZ8 drafts and version history to their authors only.
  drafts: (t) => anyOf('id', t.ids('draftIds')),
  draft_authors: (t) => anyOf('draft_id', t.ids('draftIds')),
  draft_emotions: (t) => anyOf('draft_id', t.ids('draftIds')),
  draft_tags: (t) => anyOf('draft_id', t.ids('draftIds')),

  // VZ3 stories; authors see theirs in any state; admins of the community and site moderators see
  // non-private ones in any state (to review reports).
  stories: (t) =>
    or(
      storyReadable(t),
      t.signedIn && anyOf('id', t.ids('authoredStoryIds')),
      t.signedIn && and(anyOf('community_id', t.ids('adminCommunityIds')), `visibility::text <> 'private'`),
      t.moderator && `visibility::text <> 'private'`,
    ),
  story_authors: (t) => anyOf('story_id', t.ids('visibleStoryIds')),
  story_versions: (t) => anyOf('story_id', t.ids('authoredStoryIds')),
  story_emotions: (t) => anyOf('story_id', t.ids('visibleStoryIds')),
  story_tags: (t) => anyOf('story_id', t.ids('visibleStoryIds')),
  story_media: (t) => anyOf('story_id', t.ids('visibleStoryIds')),
  story_translations: (t) => anyOf('story_id', t.ids('visibleStoryIds')),

  // VZ6 conversation: on visible subjects; announcements to attendees and hosts; hidden or removed
  // comments only to their author and to moderators; nothing from hidden users.
  comments: (t) =>
    and(
      or(anyOf('event_id', t.ids('visibleEventIds')), anyOf('story_id', t.ids('visibleStoryIds'))),
      !t.moderator &&
        or(
          is('kind', 'comment'),
          t.signedIn && anyOf('event_id', t.ids('attendingEventIds')),
          t.signedIn && anyOf('event_id', t.ids('hostedEventIds')),
          t.signedIn && anyOf('event_id', t.ids('moderatedEventIds')),
        ),
      !t.moderator &&
        or(
          is('status', 'visible'),
          t.signedIn && me(t, 'author_id'),
          t.signedIn && anyOf('event_id', t.ids('moderatedEventIds')),
          t.signedIn && anyOf('story_id', t.ids('moderatedStoryIds')),
        ),
      t.signedIn && noneOf('author_id', t.ids('hiddenUserIds')),
    ),
  reactions: (t) =>
    and(
      or(
        anyOf('story_id', t.ids('visibleStoryIds')),
        anyOf('event_id', t.ids('visibleEventIds')),
        anyOf('comment_id', t.ids('visibleCommentIds')),
      ),
      t.signedIn && noneOf('user_id', t.ids('hiddenUserIds')),
    ),

  // VZ9 trust: own rows; reports also to the admins of their community and to site moderators.
  consents: (t) => me(t, 'user_id'),
  reports: (t) =>
    t.moderator ? null : or(me(t, 'reporter_id'), anyOf('community_id', t.ids('adminCommunityIds'))),
  receipts: (t) => me(t, 'user_id'),
} satisfies Record<string, Rule>;

export type RuleTable = keyof typeof rules;
