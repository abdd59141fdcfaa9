// Writes the demo world (./demo-data) into an empty database: one transaction, fresh UUID v7 ids,
// event times relative to `now` in each event's own time zone, the demo login hashed with argon2id.
// Runs once: a database that already has users is left alone.
import { hash, type Algorithm } from '@node-rs/argon2';
import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import * as Y from 'yjs';
import { draftAuthorId, draftEmotionId, draftTagId } from '@hearth/schema/stories/ids';
import { normalizeTag } from '@hearth/schema/stories/tags';
import { writeStoryTree, type StoryNode } from '@hearth/schema/stories/tree';
import type { Tx } from '@hearth/schema/mutations/define';
import { ticketPayload, toBase64Url } from '@hearth/schema/tickets/code';
import { inPersonPayments } from '../gatherings/payments';
import { Ed25519TicketSigner } from '../gatherings/signer';
import type { Logger } from '../log';
import {
  communities,
  demoDrafts,
  DEMO_LOGIN,
  DEMO_USER_KEY,
  eventComments,
  events,
  stories,
  users,
  type DemoDraft,
  type DemoStory,
} from './demo-data';

export interface SeedOptions {
  now: Date;
  /** argon2id PHC string of DEMO_LOGIN.password. */
  passwordHash: string;
}

export interface SeedSummary {
  users: number;
  communities: number;
  events: number;
  stories: number;
}

/** Any fixed key shared by every Hearth: serializes concurrent first starts on one database. */
const SEED_LOCK_KEY = '7522537947432069491';

/** `Algorithm.Argon2id`: a const enum, which verbatimModuleSyntax cannot read at runtime. */
const ARGON2ID = 2 as Algorithm.Argon2id;

export function hashDemoPassword(): Promise<string> {
  return hash(DEMO_LOGIN.password, { algorithm: ARGON2ID });
}

/** Inserts one row; column names come from this module, never from input. */
async function insert(tx: pg.ClientBase, table: string, row: Record<string, unknown>): Promise<void> {
  const columns = Object.keys(row);
  const placeholders = columns.map((_, i) => `$${i + 1}`);
  await tx.query(
    `insert into ${table} (${columns.join(', ')}) values (${placeholders.join(', ')})`,
    Object.values(row),
  );
}

function lookup(ids: ReadonlyMap<string, string>, key: string): string {
  const id = ids.get(key);
  if (id === undefined) throw new Error(`demo data refers to unknown key "${key}"`);
  return id;
}

const escapeHtml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const toHtml = (paragraphs: readonly string[]): string =>
  paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('');
const daysBefore = (now: Date, days: number): Date => new Date(now.getTime() - days * 86_400_000);

/** Inserts the demo world with `tx` (the caller owns the transaction). */
export async function seedDemoData(tx: pg.ClientBase, options: SeedOptions): Promise<SeedSummary> {
  const { now } = options;
  const userIds = new Map(users.map((u) => [u.key, uuidv7()]));
  const user = (key: string) => lookup(userIds, key);
  const createdAt = daysBefore(now, 60);

  for (const u of users) {
    await insert(tx, 'users', {
      id: user(u.key),
      display_name: u.displayName,
      bio: u.bio,
      locale: u.locale,
      time_zone: u.timeZone,
      site_role: u.siteRole ?? 'member',
      created_at: createdAt,
      updated_at: createdAt,
    });
  }
  await insert(tx, 'identities', {
    id: uuidv7(),
    user_id: user(DEMO_USER_KEY),
    provider: 'password',
    subject: DEMO_LOGIN.email.toLowerCase(),
    email: DEMO_LOGIN.email,
    email_verified: true,
    password_hash: options.passwordHash,
  });

  const communityIds = new Map(communities.map((c) => [c.key, uuidv7()]));
  for (const c of communities) {
    const id = lookup(communityIds, c.key);
    await insert(tx, 'communities', {
      id,
      slug: c.slug,
      name: c.name,
      description: c.description,
      visibility: c.visibility,
      join_policy: c.joinPolicy,
      created_by: user(c.createdBy),
      created_at: createdAt,
      updated_at: createdAt,
    });
    for (const [member, role] of Object.entries(c.members)) {
      await insert(tx, 'memberships', {
        id: uuidv7(),
        community_id: id,
        user_id: user(member),
        role,
        status: 'active',
        decided_by: member === c.createdBy ? null : user(c.createdBy),
      });
    }
    for (const member of c.pending ?? []) {
      await insert(tx, 'memberships', {
        id: uuidv7(),
        community_id: id,
        user_id: user(member),
        status: 'pending',
      });
    }
  }

  const eventIds = new Map(events.map((e) => [e.key, uuidv7()]));
  const signer = new Ed25519TicketSigner(() => now);
  for (const e of events) {
    const id = lookup(eventIds, e.key);
    // The wall-clock time on the local date `startsInDays` from today, in the event's own zone.
    await tx.query(
      `insert into events (id, community_id, created_by, title, description, visibility, status, cancelled_at,
                           starts_at, ends_at, time_zone, place_name, address, online_url, capacity,
                           requires_approval, guest_limit)
       select $1, $2, $3, $4, $5, $6, $7, $8, s.starts_at, s.starts_at + make_interval(mins => $9),
              $10, $11, $12, $13, $14, $15, $16
       from (select ((($17::timestamptz at time zone $10)::date + $18::int) + $19::time) at time zone $10
                    as starts_at) s`,
      [
        id,
        lookup(communityIds, e.community),
        user(e.createdBy),
        e.title,
        e.description,
        e.visibility,
        e.cancelled ? 'cancelled' : 'scheduled',
        e.cancelled ? now : null,
        e.durationMinutes,
        e.timeZone,
        e.placeName ?? '',
        e.address ?? '',
        e.onlineUrl ?? null,
        e.capacity ?? null,
        e.requiresApproval ?? false,
        e.guestLimit ?? 0,
        now,
        e.startsInDays,
        e.startTime,
      ],
    );
    await insert(tx, 'event_hosts', { id: uuidv7(), event_id: id, user_id: user(e.createdBy), role: 'host' });
    for (const [coHost, role] of Object.entries(e.coHosts ?? {})) {
      await insert(tx, 'event_hosts', {
        id: uuidv7(),
        event_id: id,
        user_id: user(coHost),
        role,
        added_by: user(e.createdBy),
      });
    }
    const tierIds = new Map<string, { id: string; priceCents: number; currency: string }>();
    for (const [position, tier] of (e.tiers ?? []).entries()) {
      const tierId = uuidv7();
      tierIds.set(tier.name, { id: tierId, priceCents: tier.priceCents, currency: tier.currency });
      await insert(tx, 'ticket_tiers', {
        id: tierId,
        event_id: id,
        name: tier.name,
        pricing: tier.pricing,
        price_cents: tier.priceCents,
        currency: tier.currency,
        capacity: tier.capacity ?? null,
        hidden: tier.hidden ?? false,
        position,
      });
      if (tier.code !== undefined) await seedTierCode(tx, tierId, tier.code);
    }
    let waitlistPosition = 0;
    for (const [guest, rsvp] of Object.entries(e.rsvps ?? {})) {
      await insert(tx, 'rsvps', {
        id: uuidv7(),
        event_id: id,
        user_id: user(guest),
        status: rsvp.status,
        guests: rsvp.guests ?? 0,
        waitlist_position: rsvp.status === 'waitlisted' ? ++waitlistPosition : null,
      });
    }
    for (const [holder, tierName] of Object.entries(e.tickets ?? {})) {
      const tier = tierIds.get(tierName);
      if (!tier) throw new Error(`demo ticket for "${holder}" names unknown tier "${tierName}"`);
      await seedTicket(tx, signer, { eventId: id, tier, holderId: user(holder), now });
    }
  }

  for (const c of eventComments) {
    const parentId = uuidv7();
    const eventId = lookup(eventIds, c.event);
    await insert(tx, 'comments', {
      id: parentId,
      event_id: eventId,
      author_id: user(c.author),
      kind: c.kind,
      body: c.body,
    });
    for (const reply of c.replies ?? []) {
      await insert(tx, 'comments', {
        id: uuidv7(),
        event_id: eventId,
        parent_id: parentId,
        author_id: user(reply.author),
        body: reply.body,
      });
    }
  }

  const tagIds = new Map<string, string>();
  for (const story of stories) await seedStory(tx, story, { now, user, communityIds, tagIds });
  for (const draft of demoDrafts) await seedDraft(tx, draft, { now, user, communityIds });

  return {
    users: users.length,
    communities: communities.length,
    events: events.length,
    stories: stories.length,
  };
}

/** A hidden tier's unlock code, hashed as the createTicketTier mutation stores it (gatherings GA16). */
async function seedTierCode(tx: pg.ClientBase, tierId: string, code: string): Promise<void> {
  await tx.query(
    `insert into ticket_tier_codes (id, tier_id, code_hash) values ($1, $2, sha256(convert_to($3::text, 'UTF8')))`,
    [uuidv7(), tierId, code.toUpperCase()],
  );
}

/** A claimed ticket with its signed pass, as claimTicket makes them (gatherings GA17, GA18, GA20). */
async function seedTicket(
  tx: pg.ClientBase,
  signer: Ed25519TicketSigner,
  t: {
    eventId: string;
    tier: { id: string; priceCents: number; currency: string };
    holderId: string;
    now: Date;
  },
): Promise<void> {
  const ticketId = uuidv7();
  const priced = t.tier.priceCents > 0;
  await tx.query(
    `insert into tickets (id, tier_id, event_id, holder_id, rsvp_id, status, price_cents, currency)
     values ($1, $2, $3, $4, (select id from rsvps where event_id = $3 and user_id = $4), $5, $6, $7)`,
    [
      ticketId,
      t.tier.id,
      t.eventId,
      t.holderId,
      priced ? 'reserved' : 'paid',
      t.tier.priceCents,
      t.tier.currency,
    ],
  );
  const db: Tx = { query: (sql, params) => tx.query(sql, params) };
  if (priced)
    await inPersonPayments.reserve(
      db,
      { ticketId, amountCents: t.tier.priceCents, currency: t.tier.currency },
      t.now,
    );
  const signed = await signer.sign(db, ticketPayload({ ticketId, eventId: t.eventId, holderId: t.holderId }));
  await insert(tx, 'ticket_passes', {
    ticket_id: ticketId,
    holder_id: t.holderId,
    signature: toBase64Url(signed.signature),
    signing_key_id: signed.keyId,
  });
}

async function seedStory(
  tx: pg.ClientBase,
  story: DemoStory,
  ctx: {
    now: Date;
    user: (key: string) => string;
    communityIds: ReadonlyMap<string, string>;
    tagIds: Map<string, string>;
  },
): Promise<void> {
  const { user } = ctx;
  const owner = story.authors[0];
  if (owner === undefined) throw new Error(`demo story "${story.key}" has no author`);
  const communityId = story.community === undefined ? null : lookup(ctx.communityIds, story.community);
  const publishedAt = daysBefore(ctx.now, story.publishedDaysAgo);
  const draftId = uuidv7();
  const storyId = uuidv7();
  const html = toHtml(story.paragraphs);

  await insert(tx, 'drafts', {
    id: draftId,
    owner_id: user(owner),
    community_id: communityId,
    title: story.title,
    language: story.language,
    visibility: story.visibility,
    content_warning: story.contentWarning ?? null,
    created_at: daysBefore(publishedAt, 2),
    updated_at: publishedAt,
  });
  for (const [position, author] of story.authors.entries()) {
    await insert(tx, 'draft_authors', {
      id: uuidv7(),
      draft_id: draftId,
      user_id: user(author),
      role: position === 0 ? 'owner' : 'coauthor',
      invited_by: position === 0 ? null : user(owner),
    });
  }
  // The draft behind the story holds what a republish reads: its emotions, tags and Yjs document.
  for (const emotion of story.emotions) {
    await insert(tx, 'draft_emotions', {
      id: draftEmotionId(draftId, emotion),
      draft_id: draftId,
      emotion_key: emotion,
    });
  }
  for (const tag of story.tags) {
    await insert(tx, 'draft_tags', {
      id: draftTagId(draftId, tag.kind, tag.slug),
      draft_id: draftId,
      ...tag,
    });
  }
  await storeDraftDocument(tx, draftId, user(owner), [
    {
      type: 'doc',
      content: story.paragraphs.map((text) => ({ type: 'paragraph', content: [{ type: 'text', text }] })),
    },
  ]);
  await insert(tx, 'stories', {
    id: storyId,
    draft_id: draftId,
    community_id: communityId,
    visibility: story.visibility,
    title: story.title,
    summary: story.summary,
    content_html: html,
    content_text: story.paragraphs.join('\n\n'),
    language: story.language,
    content_warning: story.contentWarning ?? null,
    current_version: 1,
    published_by: user(owner),
    first_published_at: publishedAt,
    published_at: publishedAt,
  });
  for (const [position, author] of story.authors.entries()) {
    await insert(tx, 'story_authors', { id: uuidv7(), story_id: storyId, user_id: user(author), position });
  }
  await insert(tx, 'story_versions', {
    id: uuidv7(),
    story_id: storyId,
    version: 1,
    title: story.title,
    content_html: html,
    published_by: user(owner),
    published_at: publishedAt,
  });
  for (const emotion of story.emotions) {
    await insert(tx, 'story_emotions', { id: uuidv7(), story_id: storyId, emotion_key: emotion });
  }
  for (const tag of story.tags) {
    const tagKey = `${tag.kind}:${tag.slug}`;
    let tagId = ctx.tagIds.get(tagKey);
    if (tagId === undefined) {
      tagId = uuidv7();
      ctx.tagIds.set(tagKey, tagId);
      await insert(tx, 'tags', { id: tagId, kind: tag.kind, slug: tag.slug, label: tag.label });
    }
    await insert(tx, 'story_tags', { id: uuidv7(), story_id: storyId, tag_id: tagId });
  }
  for (const [reader, emotion] of Object.entries(story.reactions ?? {})) {
    await insert(tx, 'reactions', {
      id: uuidv7(),
      user_id: user(reader),
      story_id: storyId,
      emotion_key: emotion,
    });
  }
  for (const comment of story.comments ?? []) {
    await insert(tx, 'comments', {
      id: uuidv7(),
      story_id: storyId,
      author_id: user(comment.author),
      body: comment.body,
    });
  }
  for (const translation of story.translations ?? []) {
    await insert(tx, 'story_translations', {
      id: uuidv7(),
      story_id: storyId,
      language: translation.language,
      title: translation.title,
      content_html: toHtml(translation.paragraphs),
      translator_id: user(translation.translator),
    });
  }
}

/**
 * A draft's Yjs document as the collab rooms store it: the first part compacted into draft_snapshots,
 * each later part one row of draft_updates.
 */
async function storeDraftDocument(
  tx: pg.ClientBase,
  draftId: string,
  authorId: string,
  parts: readonly StoryNode[],
): Promise<void> {
  const [first, ...later] = parts;
  if (!first) return;
  const doc = new Y.Doc();
  writeStoryTree(doc, first);
  await insert(tx, 'draft_snapshots', {
    draft_id: draftId,
    state: Buffer.from(Y.encodeStateAsUpdate(doc)),
    through_update_id: 0,
  });
  for (const part of later) {
    const before = Y.encodeStateVector(doc);
    writeStoryTree(doc, part);
    await insert(tx, 'draft_updates', {
      draft_id: draftId,
      author_id: authorId,
      update: Buffer.from(Y.encodeStateAsUpdate(doc, before)),
    });
  }
  doc.destroy();
}

async function seedDraft(
  tx: pg.ClientBase,
  draft: DemoDraft,
  ctx: { now: Date; user: (key: string) => string; communityIds: ReadonlyMap<string, string> },
): Promise<void> {
  const { user } = ctx;
  const owner = draft.authors[0];
  if (owner === undefined) throw new Error(`demo draft "${draft.key}" has no author`);
  const draftId = uuidv7();
  const updatedAt = daysBefore(ctx.now, 1);
  await insert(tx, 'drafts', {
    id: draftId,
    owner_id: user(owner),
    community_id: draft.community === undefined ? null : lookup(ctx.communityIds, draft.community),
    title: draft.title,
    language: draft.language,
    visibility: draft.visibility,
    created_at: daysBefore(ctx.now, 5),
    updated_at: updatedAt,
  });
  for (const [position, author] of draft.authors.entries()) {
    await insert(tx, 'draft_authors', {
      id: draftAuthorId(draftId, user(author)),
      draft_id: draftId,
      user_id: user(author),
      role: position === 0 ? 'owner' : 'coauthor',
      invited_by: position === 0 ? null : user(owner),
    });
  }
  for (const emotion of draft.emotions) {
    await insert(tx, 'draft_emotions', {
      id: draftEmotionId(draftId, emotion),
      draft_id: draftId,
      emotion_key: emotion,
    });
  }
  for (const { kind, label } of draft.tags) {
    const tag = normalizeTag(kind, label);
    await insert(tx, 'draft_tags', { id: draftTagId(draftId, kind, tag.slug), draft_id: draftId, ...tag });
  }
  await storeDraftDocument(tx, draftId, user(owner), draft.document);
}

/** Seeds when the database has no users yet; returns whether it did. Safe to call on every start. */
export async function seedDemoIfEmpty(
  pool: pg.Pool,
  log: Logger,
  now = new Date(),
): Promise<SeedSummary | null> {
  const passwordHash = await hashDemoPassword();
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query('select pg_advisory_xact_lock($1)', [SEED_LOCK_KEY]);
    const { rows } = await client.query<{ has_users: boolean }>(
      'select exists (select 1 from users) as has_users',
    );
    if (rows[0]?.has_users) {
      await client.query('rollback');
      return null;
    }
    const summary = await seedDemoData(client, { now, passwordHash });
    await client.query('commit');
    log.info(summary, 'seeded the demo data');
    return summary;
  } catch (error) {
    await client.query('rollback');
    throw error;
  } finally {
    client.release();
  }
}
