// What collab hears from the database watch (db/watch.ts): `hearth_draft_author_gone`
// '<draft_id> <user_id>' (migration 0009, CO2) and `hearth_session_ended` '<session_id>' (0011, CO13).
import { SESSION_ENDED_CHANNEL } from '../auth/session-cache';

export { SESSION_ENDED_CHANNEL };
export const AUTHOR_GONE_CHANNEL = 'hearth_draft_author_gone';
/** The channels collab's watch must LISTEN on. */
export const COLLAB_CHANNELS = [AUTHOR_GONE_CHANNEL, SESSION_ENDED_CHANNEL] as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Pure: the payload's draft and user, or null for anything else. */
export function parseAuthorGone(payload: string | undefined): { draftId: string; userId: string } | null {
  const [draftId, userId, extra] = (payload ?? '').split(' ');
  if (draftId === undefined || userId === undefined || extra !== undefined) return null;
  return UUID.test(draftId) && UUID.test(userId) ? { draftId, userId } : null;
}

/** Pure: the payload's session id, or null for anything else. */
export function parseSessionEnded(payload: string | undefined): { sessionId: string } | null {
  return payload !== undefined && UUID.test(payload) ? { sessionId: payload } : null;
}
