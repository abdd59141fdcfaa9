// Per-member calendar feed tokens (GA37): calendar apps send no cookie, so a member gets a secret link
// to their own view of one community's feed. Random 256-bit tokens, stored only as their sha256 (like
// sessions, ../auth/session-logic); one per member and community, a new one replaces the old; the
// token stops working when the row is deleted or the person is no longer an active member.
import { randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { Tx } from '@hearth/schema/mutations/define';
import { encodeToken, isWellFormedToken, TOKEN_BYTES, tokenHash } from '../auth/session-logic';

/** Makes (or replaces) the member's token for the community; returns it: it is never stored. */
export async function issueFeedToken(
  db: Tx,
  input: { readonly userId: string; readonly communityId: string; readonly now: Date },
): Promise<string> {
  const token = encodeToken(randomBytes(TOKEN_BYTES));
  await db.query(
    `insert into calendar_feed_tokens (id, user_id, community_id, token_hash, created_at)
     values ($1, $2, $3, $4, $5)
     on conflict (user_id, community_id)
       do update set token_hash = excluded.token_hash, created_at = excluded.created_at, last_used_at = null`,
    [uuidv7(), input.userId, input.communityId, tokenHash(token), input.now],
  );
  return token;
}

/** Revokes the member's token for the community; false when there was none. */
export async function revokeFeedToken(db: Tx, userId: string, communityId: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `delete from calendar_feed_tokens where user_id = $1 and community_id = $2`,
    [userId, communityId],
  );
  return (rowCount ?? 0) > 0;
}

/**
 * Whose view of this community's feed the token grants: its member, while they are an active member
 * and not deleted; null for anything else (malformed, unknown, revoked, another community's token).
 */
export async function feedTokenViewer(
  db: Tx,
  communityId: string,
  token: string,
  now: Date,
): Promise<string | null> {
  if (!isWellFormedToken(token)) return null;
  const { rows } = await db.query<{ user_id: string }>(
    `update calendar_feed_tokens t set last_used_at = $3
     from memberships m, users u
     where t.token_hash = $1 and t.community_id = $2
       and m.community_id = t.community_id and m.user_id = t.user_id and m.status = 'active'
       and u.id = t.user_id and u.deleted_at is null
     returning t.user_id`,
    [tokenHash(token), communityId, now],
  );
  return rows[0]?.user_id ?? null;
}
