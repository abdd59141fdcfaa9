// CO2, CO13: the server hears at once when someone stops being an author of a draft, or a session ends.
// Triggers NOTIFY (migration 0009: `hearth_draft_author_gone` '<draft_id> <user_id>' on every
// draft_authors delete; migration 0011: `hearth_session_ended` '<session_id>' when a session is revoked
// or deleted, or its user deleted). One dedicated connection LISTENs on both. Notifications sent while
// that connection is down are lost, so after every reconnect `onResync` re-checks every open socket.
import pg from 'pg';
import type { Logger } from '../log';

export const AUTHOR_GONE_CHANNEL = 'hearth_draft_author_gone';
export const SESSION_ENDED_CHANNEL = 'hearth_session_ended';

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

export interface DbWatchDeps {
  readonly databaseUrl: string;
  readonly log: Logger;
  readonly onAuthorGone: (draftId: string, userId: string) => void;
  readonly onSessionEnded: (sessionId: string) => void;
  /** The connection came back after a break: notifications may have been missed. */
  readonly onResync: () => void;
}

export interface DbWatch {
  stop(): Promise<void>;
}

const MIN_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 10_000;

/** Resolves once LISTEN is in place (so no removal or sign-out committed after it can be missed). */
export async function watchDatabase(deps: DbWatchDeps): Promise<DbWatch> {
  let client: pg.Client | undefined;
  let stopped = false;
  let backoff = MIN_BACKOFF_MS;
  let retry: NodeJS.Timeout | undefined;

  const notified = (message: pg.Notification) => {
    if (message.channel === AUTHOR_GONE_CHANNEL) {
      const gone = parseAuthorGone(message.payload);
      if (gone !== null) return deps.onAuthorGone(gone.draftId, gone.userId);
    } else if (message.channel === SESSION_ENDED_CHANNEL) {
      const ended = parseSessionEnded(message.payload);
      if (ended !== null) return deps.onSessionEnded(ended.sessionId);
    }
    deps.log.warn({ channel: message.channel, payload: message.payload }, 'collab: unexpected notification');
  };

  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString: deps.databaseUrl });
    next.on('notification', notified);
    next.on('error', (error) => {
      deps.log.warn({ err: error }, 'collab: the database watch connection failed; reconnecting');
      lost(next);
    });
    next.on('end', () => lost(next));
    await next.connect();
    await next.query(`LISTEN ${AUTHOR_GONE_CHANNEL}; LISTEN ${SESSION_ENDED_CHANNEL}`);
    client = next;
    backoff = MIN_BACKOFF_MS;
  };

  const lost = (which: pg.Client) => {
    if (stopped || client !== which) return;
    client = undefined;
    which.end().catch(() => undefined);
    schedule();
  };

  const schedule = () => {
    if (stopped || retry !== undefined) return;
    retry = setTimeout(() => {
      retry = undefined;
      connect().then(
        () => deps.onResync(),
        (error: unknown) => {
          deps.log.warn({ err: error }, 'collab: could not reconnect the database watch');
          backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
          schedule();
        },
      );
    }, backoff);
    retry.unref();
  };

  await connect();
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(retry);
      const last = client;
      client = undefined;
      await last?.end().catch(() => undefined);
    },
  };
}
