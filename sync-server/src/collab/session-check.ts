// CO13: whether the session that opened a socket still counts, by its id (the socket holds no token).
// The same verdict as at the door (auth's `sessionVerdict`): revoked, expired or the user deleted end it.
import type pg from 'pg';
import { sessionVerdict } from '../auth/session-logic';

export type SessionCheck = { readonly live: true; readonly expiresAt: Date } | { readonly live: false };

export async function checkSession(
  db: Pick<pg.ClientBase, 'query'>,
  sessionId: string,
  now: Date,
): Promise<SessionCheck> {
  const { rows } = await db.query<{
    expires_at: Date;
    revoked_at: Date | null;
    last_seen_at: Date;
    deleted_at: Date | null;
  }>(
    `select s.expires_at, s.revoked_at, s.last_seen_at, u.deleted_at
       from sessions s join users u on u.id = s.user_id
      where s.id = $1`,
    [sessionId],
  );
  const row = rows[0];
  if (row === undefined) return { live: false };
  const verdict = sessionVerdict(
    {
      expiresAt: row.expires_at,
      revokedAt: row.revoked_at,
      lastSeenAt: row.last_seen_at,
      userDeletedAt: row.deleted_at,
    },
    now,
  );
  return verdict === 'active' ? { live: true, expiresAt: row.expires_at } : { live: false };
}

/** setTimeout's longest delay (about 24.8 days); a later expiry is looked at again then. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Pure: how long until the socket's session is looked at again. */
export function expiryDelay(expiresAt: Date, now: Date): number {
  return Math.min(Math.max(0, expiresAt.getTime() - now.getTime()), MAX_TIMER_MS);
}
