// CO2: the server hears at once when someone stops being an author of a draft. Migration 0009's trigger
// NOTIFYs `hearth_draft_author_gone` with '<draft_id> <user_id>' on every draft_authors delete (also by
// cascade from a deleted draft or user); one dedicated connection LISTENs. Notifications sent while that
// connection is down are lost, so after every reconnect `onResync` re-checks every open socket.
import pg from 'pg';
import type { Logger } from '../log';

export const AUTHOR_GONE_CHANNEL = 'hearth_draft_author_gone';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Pure: the payload's draft and user, or null for anything else. */
export function parseAuthorGone(payload: string | undefined): { draftId: string; userId: string } | null {
  const [draftId, userId, extra] = (payload ?? '').split(' ');
  if (draftId === undefined || userId === undefined || extra !== undefined) return null;
  return UUID.test(draftId) && UUID.test(userId) ? { draftId, userId } : null;
}

export interface AuthorWatchDeps {
  readonly databaseUrl: string;
  readonly log: Logger;
  readonly onGone: (draftId: string, userId: string) => void;
  /** The connection came back after a break: notifications may have been missed. */
  readonly onResync: () => void;
}

export interface AuthorWatch {
  stop(): Promise<void>;
}

const MIN_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 10_000;

/** Resolves once LISTEN is in place (so no removal committed after it can be missed). */
export async function watchAuthors(deps: AuthorWatchDeps): Promise<AuthorWatch> {
  let client: pg.Client | undefined;
  let stopped = false;
  let backoff = MIN_BACKOFF_MS;
  let retry: NodeJS.Timeout | undefined;

  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString: deps.databaseUrl });
    next.on('notification', (message) => {
      if (message.channel !== AUTHOR_GONE_CHANNEL) return;
      const gone = parseAuthorGone(message.payload);
      if (gone === null)
        deps.log.warn({ payload: message.payload }, 'collab: unexpected author notification');
      else deps.onGone(gone.draftId, gone.userId);
    });
    next.on('error', (error) => {
      deps.log.warn({ err: error }, 'collab: the author watch connection failed; reconnecting');
      lost(next);
    });
    next.on('end', () => lost(next));
    await next.connect();
    await next.query(`LISTEN ${AUTHOR_GONE_CHANNEL}`);
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
          deps.log.warn({ err: error }, 'collab: could not reconnect the author watch');
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
