// TEST CODE ONLY: a world with a private community P and a public community Q, a person in each
// role, and rows of every synced table. Each row is written with the roles that may see it, by hand,
// from the visibility rules in schema/src/shapes/SPEC.md; the authorization matrix compares what each
// role receives through the gateway with these lists.
import type pg from 'pg';
import { newId } from '@hearth/schema/ids';
import { createTestUser, type TestUser } from '../../writes/test-support/sessions';

export const ROLES = [
  'anonymous',
  'member',
  'organizer',
  'admin',
  'outsider',
  'removed',
  'blocked',
  'moderator',
] as const;
export type Role = (typeof ROLES)[number];
export type SignedInRole = Exclude<Role, 'anonymous'>;

const ALL: readonly Role[] = ROLES;
const P_MEMBERS: readonly Role[] = ['member', 'organizer', 'admin'];
const except = (...roles: Role[]): Role[] => ALL.filter((r) => !roles.includes(r));

export interface World {
  readonly users: Record<SignedInRole, TestUser>;
  readonly qAdmin: TestUser;
  /** P: private + approval. Q: public + open. */
  readonly p: string;
  readonly q: string;
  /** Rows by table: primary key (joined with `/` when composite) -> roles that may see the row. */
  readonly visible: ReadonlyMap<string, ReadonlyMap<string, readonly Role[]>>;
  /** Named rows used by other tests. */
  readonly ids: Readonly<Record<string, string>>;
}

export async function seedWorld(db: Pick<pg.Pool, 'query'>): Promise<World> {
  const visible = new Map<string, Map<string, readonly Role[]>>();
  const ids: Record<string, string> = {};
  const see = (table: string, key: string, roles: readonly Role[]): void => {
    let rows = visible.get(table);
    if (!rows) visible.set(table, (rows = new Map<string, readonly Role[]>()));
    rows.set(key, roles);
  };
  /** Inserts one row (a fresh `id` unless given) and notes who may see it. */
  const row = async (
    table: string,
    values: Record<string, unknown>,
    roles: readonly Role[],
    name?: string,
  ): Promise<string> => {
    const withId = 'id' in values || table === 'ticket_passes' ? values : { id: newId(), ...values };
    const columns = Object.keys(withId);
    await db.query(
      `insert into ${table} (${columns.join(', ')}) values (${columns.map((_, i) => `$${i + 1}`).join(', ')})`,
      Object.values(withId),
    );
    const key = String(table === 'ticket_passes' ? withId.ticket_id : withId.id);
    see(table, key, roles);
    if (name) ids[name] = key;
    return key;
  };

  const make = () => createTestUser(db);
  const [member, organizer, admin, outsider, removed, blocked, qAdmin] = await Promise.all(
    Array.from({ length: 7 }, make),
  );
  const moderator = await createTestUser(db, { siteRole: 'moderator' });
  if (!member || !organizer || !admin || !outsider || !removed || !blocked || !qAdmin)
    throw new Error('fixture users missing');
  const users = { member, organizer, admin, outsider, removed, blocked, moderator };
  const gone = await createTestUser(db);
  await db.query(`update users set deleted_at = now() where id = $1`, [gone.id]);
  const { rows: people } = await db.query<{ id: string; deleted: boolean }>(
    `select id, deleted_at is not null as deleted from users`,
  );
  for (const person of people) see('users', person.id, person.deleted ? [] : ALL);
  const { rows: emotions } = await db.query<{ key: string }>(`select key from emotions`);
  for (const emotion of emotions) see('emotions', emotion.key, ALL);
  const { rows: labels } = await db.query<{ key: string }>(
    `select emotion_key || '/' || locale as key from emotion_labels`,
  );
  for (const label of labels) see('emotion_labels', label.key, ALL);
  const tag = await row('tags', { kind: 'culture', slug: 'andes', label: 'Andes' }, ALL);

  // Media first: a community cover and story media.
  const storage = (): string => `media/${newId()}`;
  const mediaRow = (owner: TestUser, status: string, roles: readonly Role[], name: string) =>
    row(
      'media',
      {
        owner_id: owner.id,
        kind: 'image',
        mime_type: 'image/png',
        byte_size: 10,
        status,
        storage_key: storage(),
      },
      roles,
      name,
    );
  const mPub = await mediaRow(member, 'ready', ALL, 'mPub');
  const mComm = await mediaRow(member, 'ready', [...P_MEMBERS, 'moderator'], 'mComm');
  await mediaRow(member, 'uploading', ['member'], 'mUploading');
  const mCover = await mediaRow(admin, 'ready', P_MEMBERS, 'mCover');

  const p = await row(
    'communities',
    {
      slug: `p-${newId()}`,
      name: 'P',
      visibility: 'private',
      join_policy: 'approval',
      created_by: admin.id,
      cover_media_id: mCover,
    },
    P_MEMBERS,
    'p',
  );
  const q = await row('communities', { slug: `q-${newId()}`, name: 'Q', created_by: qAdmin.id }, ALL, 'q');

  const membership = (community: string, user: TestUser, role: string, status: string, roles: Role[]) =>
    row('memberships', { community_id: community, user_id: user.id, role, status }, roles);
  await membership(p, admin, 'admin', 'active', [...P_MEMBERS]);
  await membership(p, organizer, 'organizer', 'active', [...P_MEMBERS]);
  ids.memberMembership = await membership(p, member, 'member', 'active', [...P_MEMBERS]);
  await membership(p, removed, 'member', 'removed', ['removed', 'admin']);
  await membership(q, qAdmin, 'admin', 'active', ['outsider']);
  await membership(q, outsider, 'member', 'active', ['outsider']);

  await row('follows', { follower_id: member.id, community_id: q }, ['member']);
  await row('follows', { follower_id: blocked.id, community_id: q }, ['blocked']);
  // P's admin blocks `blocked`: each hides the other's content from themselves.
  await row('blocks', { blocker_id: admin.id, blocked_id: blocked.id }, ['admin']);

  const event = (community: string, host: TestUser, visibility: string, roles: Role[], name: string) =>
    row(
      'events',
      {
        community_id: community,
        created_by: host.id,
        title: name,
        visibility,
        starts_at: '2030-06-01T18:00:00Z',
        ends_at: '2030-06-01T21:00:00Z',
        time_zone: 'Europe/Lisbon',
      },
      roles,
      name,
    );
  const eQpub = await event(q, qAdmin, 'public', [...ALL], 'eQpub');
  const ePcomm = await event(p, organizer, 'community', [...P_MEMBERS], 'ePcomm');
  await event(p, organizer, 'unlisted', [...P_MEMBERS], 'ePunlisted');
  // `member` has an RSVP for both (from when they were in Q): the unlisted one stays theirs.
  const eQcomm = await event(q, qAdmin, 'community', ['outsider'], 'eQcomm');
  const eQunlisted = await event(q, qAdmin, 'unlisted', ['outsider', 'member'], 'eQunlisted');

  await row('event_hosts', { event_id: eQpub, user_id: qAdmin.id, role: 'host' }, ALL);
  await row('event_hosts', { event_id: eQpub, user_id: outsider.id, role: 'checkin' }, ALL);
  await row('event_hosts', { event_id: ePcomm, user_id: organizer.id, role: 'host' }, P_MEMBERS);

  const tQpub = await row('ticket_tiers', { event_id: eQpub, name: 'Door' }, ALL);
  const tQhidden = await row('ticket_tiers', { event_id: eQpub, name: 'Crew', hidden: true }, [
    'outsider',
    'member',
  ]);
  const tPcomm = await row('ticket_tiers', { event_id: ePcomm, name: 'Members' }, P_MEMBERS);

  await row('rsvps', { event_id: eQpub, user_id: member.id, status: 'going' }, ['member', 'outsider']);
  await row('rsvps', { event_id: ePcomm, user_id: member.id, status: 'going' }, ['member', 'organizer']);
  await row('rsvps', { event_id: eQcomm, user_id: member.id, status: 'going' }, ['member']);
  await row('rsvps', { event_id: eQunlisted, user_id: member.id, status: 'maybe' }, ['member']);
  await row('rsvps', { event_id: eQpub, user_id: blocked.id, status: 'going' }, ['blocked', 'outsider']);

  const ticket = (tier: string, eventId: string, holder: TestUser, roles: Role[]) =>
    row('tickets', { tier_id: tier, event_id: eventId, holder_id: holder.id }, roles);
  const k1 = await ticket(tQhidden, eQpub, member, ['member', 'outsider']);
  const k2 = await ticket(tPcomm, ePcomm, member, ['member', 'organizer']);
  const k3 = await ticket(tQpub, eQpub, blocked, ['blocked', 'outsider']);
  const key = newId();
  await db.query(`insert into signing_keys (id, public_key, private_key) values ($1, $2, $3)`, [
    key,
    Buffer.alloc(32, 1),
    Buffer.alloc(32, 2),
  ]);
  // Public keys sync to everyone (gatherings SPEC.md GA23); the private key never leaves (VZ0).
  see('signing_keys', key, ALL);
  const pass = (ticketId: string, holder: TestUser) =>
    row(
      'ticket_passes',
      { ticket_id: ticketId, holder_id: holder.id, signature: `sig-${ticketId}`, signing_key_id: key },
      [holder === member ? 'member' : 'blocked'],
    );
  await pass(k1, member);
  await pass(k2, member);
  await pass(k3, blocked);
  await row('check_ins', { ticket_id: k1, event_id: eQpub, checked_in_by: outsider.id, method: 'qr' }, [
    'member',
    'outsider',
  ]);
  await row('check_ins', { ticket_id: k3, event_id: eQpub, checked_in_by: outsider.id, method: 'qr' }, [
    'blocked',
    'outsider',
  ]);

  // Drafts and stories (a story needs its own draft).
  const draft = async (owner: TestUser, roles: Role[], coauthor?: TestUser): Promise<string> => {
    const id = await row('drafts', { owner_id: owner.id }, roles);
    await row('draft_authors', { draft_id: id, user_id: owner.id, role: 'owner' }, roles);
    if (coauthor) await row('draft_authors', { draft_id: id, user_id: coauthor.id, role: 'coauthor' }, roles);
    return id;
  };
  await draft(member, ['member', 'organizer'], organizer);
  await draft(admin, ['admin']);

  const story = async (
    author: TestUser,
    fields: { visibility: string; status?: string; community_id?: string },
    roles: readonly Role[],
    name: string,
  ): Promise<string> => {
    const draftId = await draft(author, [roleOf(author) as Role]);
    const id = await row(
      'stories',
      {
        draft_id: draftId,
        title: name,
        content_html: `<p>${name}</p>`,
        content_text: name,
        language: 'en',
        current_version: 1,
        published_by: author.id,
        status: 'published',
        ...fields,
      },
      roles,
      name,
    );
    await row('story_authors', { story_id: id, user_id: author.id }, roles);
    await row(
      'story_versions',
      { story_id: id, version: 1, title: name, content_html: '<p></p>', published_by: author.id },
      [roleOf(author) as Role],
    );
    return id;
  };
  const roleOf = (user: TestUser): string =>
    Object.entries(users).find(([, u]) => u === user)?.[0] ?? 'nobody';

  const sPub = await story(member, { visibility: 'public' }, ALL, 'sPub');
  const sComm = await story(
    member,
    { visibility: 'community', community_id: p },
    [...P_MEMBERS, 'moderator'],
    'sComm',
  );
  const sPriv = await story(member, { visibility: 'private' }, ['member'], 'sPriv');
  await story(
    organizer,
    { visibility: 'community', community_id: p, status: 'hidden' },
    ['organizer', 'admin', 'moderator'],
    'sHidden',
  );
  const sByBlocked = await story(blocked, { visibility: 'public' }, except('admin'), 'sByBlocked');
  await story(admin, { visibility: 'public' }, except('blocked'), 'sByAdmin');

  await row('story_emotions', { story_id: sPub, emotion_key: 'joy' }, ALL);
  await row('story_emotions', { story_id: sComm, emotion_key: 'joy' }, [...P_MEMBERS, 'moderator']);
  await row('story_tags', { story_id: sPub, tag_id: tag }, ALL);
  await row('story_tags', { story_id: sPriv, tag_id: tag }, ['member']);
  await row('story_media', { story_id: sPub, media_id: mPub }, ALL);
  await row('story_media', { story_id: sComm, media_id: mComm }, [...P_MEMBERS, 'moderator']);
  await row(
    'story_translations',
    { story_id: sComm, language: 'pt', title: 'P', content_html: '<p></p>', translator_id: organizer.id },
    [...P_MEMBERS, 'moderator'],
  );

  const comment = (fields: Record<string, unknown>, roles: readonly Role[], name: string) =>
    row('comments', { body: name, ...fields }, roles, name);
  await comment({ story_id: sPub, author_id: outsider.id }, ALL, 'cPub');
  await comment({ story_id: sPub, author_id: blocked.id }, except('admin'), 'cByBlocked');
  const cComm = await comment(
    { story_id: sComm, author_id: member.id },
    [...P_MEMBERS, 'moderator'],
    'cComm',
  );
  await comment(
    { story_id: sComm, author_id: member.id, status: 'hidden' },
    ['member', 'admin', 'moderator'],
    'cHidden',
  );
  await comment(
    { event_id: eQpub, author_id: qAdmin.id, kind: 'announcement' },
    ['member', 'blocked', 'outsider', 'moderator'],
    'cAnnouncement',
  );
  await comment({ event_id: ePcomm, author_id: organizer.id }, P_MEMBERS, 'cEvent');

  await row('reactions', { story_id: sPub, user_id: outsider.id, emotion_key: 'joy' }, ALL);
  await row('reactions', { story_id: sPub, user_id: blocked.id, emotion_key: 'awe' }, except('admin'));
  await row('reactions', { story_id: sByBlocked, user_id: member.id, emotion_key: 'joy' }, except('admin'));
  await row('reactions', { comment_id: cComm, user_id: organizer.id, emoji: '🔥' }, [
    ...P_MEMBERS,
    'moderator',
  ]);
  await row('reactions', { event_id: eQpub, user_id: member.id, emoji: '🎉' }, ALL);

  await row('consents', { user_id: member.id, kind: 'terms' }, ['member']);
  await row('consents', { user_id: blocked.id, kind: 'privacy' }, ['blocked']);
  await row('reports', { reporter_id: member.id, story_id: sComm, community_id: p, reason: 'spam' }, [
    'member',
    'admin',
    'moderator',
  ]);
  await row('reports', { reporter_id: outsider.id, reported_user_id: blocked.id, reason: 'abuse' }, [
    'outsider',
    'moderator',
  ]);
  await row('receipts', { user_id: member.id, mutation: 'updateProfile', status: 'accepted' }, ['member']);
  await row('receipts', { user_id: admin.id, mutation: 'updateProfile', status: 'accepted' }, ['admin']);

  return { users, qAdmin, p, q, visible, ids };
}

/** The keys of `table`'s rows that `role` may see. */
export function expectedKeys(world: World, table: string, role: Role): string[] {
  const rows = world.visible.get(table) ?? new Map<string, readonly Role[]>();
  return [...rows]
    .filter(([, roles]) => roles.includes(role))
    .map(([key]) => key)
    .sort();
}
