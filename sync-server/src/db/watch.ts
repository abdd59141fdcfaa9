// One dedicated connection LISTENs on a fixed set of channels and hands each notification to whoever
// subscribed: collab (its SPEC CO2, CO13) and the session cache (auth SPEC SS10, SS11). A
// notification sent while the connection is down is lost: subscribers hear `lost`, then `resync`.
import pg from 'pg';
import type { Logger } from '../log';

/** Postgres folds unquoted identifiers; ours are plain lower-case names, never client input. */
const CHANNEL = /^[a-z_][a-z0-9_]*$/;

export interface DbWatchListener {
  notification?(channel: string, payload: string | undefined): void;
  /** The connection broke: notifications are being missed until `resync`. */
  lost?(): void;
  /** LISTEN is in place again after a break: notifications sent meanwhile were missed. */
  resync?(): void;
}

export interface DbWatch {
  readonly channels: readonly string[];
  /** LISTEN is in place right now: no notification committed from now on can be missed. */
  readonly listening: boolean;
  /** Returns the unsubscribe. */
  subscribe(listener: DbWatchListener): () => void;
  stop(): Promise<void>;
}

export interface DbWatchOptions {
  readonly databaseUrl: string;
  readonly log: Logger;
  readonly channels: readonly string[];
}

const MIN_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 10_000;

/** Resolves once LISTEN is in place (so no removal or sign-out committed after it can be missed). */
export async function watchDatabase(options: DbWatchOptions): Promise<DbWatch> {
  const { log } = options;
  const channels = [...new Set(options.channels)];
  for (const channel of channels)
    if (!CHANNEL.test(channel)) throw new Error(`watchDatabase: "${channel}" is not a channel name`);
  const listeners = new Set<DbWatchListener>();
  let client: pg.Client | undefined;
  let stopped = false;
  let backoff = MIN_BACKOFF_MS;
  let retry: NodeJS.Timeout | undefined;

  const each = (call: (listener: DbWatchListener) => void) => {
    for (const listener of [...listeners]) {
      try {
        call(listener);
      } catch (error) {
        log.error({ err: error }, 'database watch: a subscriber failed');
      }
    }
  };

  const connect = async (): Promise<void> => {
    // keepAlive: a silently dead TCP connection is noticed (and `lost` said) instead of trusted.
    const next = new pg.Client({ connectionString: options.databaseUrl, keepAlive: true });
    next.on('notification', (message) =>
      each((listener) => listener.notification?.(message.channel, message.payload)),
    );
    next.on('error', (error) => {
      log.warn({ err: error }, 'database watch: the LISTEN connection failed; reconnecting');
      lost(next);
    });
    next.on('end', () => lost(next));
    try {
      await next.connect();
      await next.query(channels.map((channel) => `LISTEN ${channel}`).join('; '));
    } catch (error) {
      await next.end().catch(() => undefined);
      throw error;
    }
    if (stopped) {
      await next.end().catch(() => undefined);
      return;
    }
    client = next;
    backoff = MIN_BACKOFF_MS;
  };

  const lost = (which: pg.Client) => {
    if (stopped || client !== which) return;
    client = undefined;
    which.end().catch(() => undefined);
    each((listener) => listener.lost?.());
    schedule();
  };

  const schedule = () => {
    if (stopped || retry !== undefined) return;
    retry = setTimeout(() => {
      retry = undefined;
      connect().then(
        () => {
          if (client !== undefined) each((listener) => listener.resync?.());
        },
        (error: unknown) => {
          log.warn({ err: error }, 'database watch: could not reconnect');
          backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
          schedule();
        },
      );
    }, backoff);
    retry.unref();
  };

  await connect();
  return {
    channels,
    get listening() {
      return client !== undefined;
    },
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stop: async () => {
      stopped = true;
      clearTimeout(retry);
      // From now on every notification is missed.
      if (client !== undefined) each((listener) => listener.lost?.());
      listeners.clear();
      const last = client;
      client = undefined;
      await last?.end().catch(() => undefined);
    },
  };
}

/** Throws (a wiring mistake, at boot) unless `watch` listens on every channel of `needed`. */
export function assertListensOn(
  watch: Pick<DbWatch, 'channels'>,
  needed: readonly string[],
  who: string,
): void {
  const missing = needed.filter((channel) => !watch.channels.includes(channel));
  if (missing.length > 0)
    throw new Error(`${who} needs the database watch to LISTEN on ${missing.join(', ')} as well.`);
}
