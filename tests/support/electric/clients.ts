// Helpers for the engine's client-level tests: the official `@electric-sql/client` and
// `@electric-sql/pglite-sync` as clients, and waits on protocol events (a Shape notification, a
// PGlite commit), never on time.
import {
  FetchError,
  Shape,
  type BackoffOptions,
  type Message,
  type Row,
  type ShapeStream,
} from '@electric-sql/client';
import { PGlite } from '@electric-sql/pglite';
import { live, type LiveNamespace } from '@electric-sql/pglite/live';
import { electricSync, type MapColumnsFn, type SyncNamespaceObj } from '@electric-sql/pglite-sync';

export type Replica = PGlite & { live: LiveNamespace; sync: SyncNamespaceObj };

/** Retries after a server went away come quickly (the client's default starts at 1 s, up to 32 s). */
export const FAST_BACKOFF: BackoffOptions = { initialDelay: 20, maxDelay: 250, multiplier: 2 };

/** An in-memory PGlite with live queries and pglite-sync. */
export function openReplica(): Promise<Replica> {
  return PGlite.create({ extensions: { live, sync: electricSync() } });
}

/** The client's own `Shape` over a stream (its typings miss exactOptionalPropertyTypes, hence the cast). */
export function shapeOf<T extends Row>(stream: ShapeStream<T>): Shape<T> {
  return new Shape<T>(stream as unknown as ConstructorParameters<typeof Shape<T>>[0]);
}

/** Resolves with the rows once `check` holds, tested now and at every Shape notification. */
export function shapeUntil<T extends Row>(shape: Shape<T>, check: (rows: T[]) => boolean): Promise<T[]> {
  return new Promise((resolve) => {
    const test = (rows: T[]): boolean => {
      if (!check(rows)) return false;
      resolve(rows);
      return true;
    };
    if (shape.isUpToDate && test(shape.currentRows)) return;
    const off = shape.subscribe(({ rows }) => {
      if (test(rows)) off();
    });
  });
}

/** Resolves with the rows of `sql` in PGlite once `check` holds: a live query, woken by each local commit. */
export async function localUntil<T>(
  local: Replica,
  sql: string,
  check: (rows: T[]) => boolean,
): Promise<T[]> {
  let unsubscribe: (() => Promise<void>) | undefined;
  const rows = await new Promise<T[]>((resolve) => {
    void local.live
      .query<T>(sql, [], (result) => {
        if (check(result.rows)) resolve(result.rows);
      })
      .then((query) => {
        unsubscribe = query.unsubscribe;
        if (check(query.initialResults.rows)) resolve(query.initialResults.rows);
      });
  });
  await unsubscribe?.();
  return rows;
}

export function isUpToDate(message: Message<Row> | undefined): boolean {
  return message !== undefined && 'control' in message.headers && message.headers.control === 'up-to-date';
}

/**
 * pglite-sync 0.6.1 writes column names into its SQL as `"name"` without doubling the quotes inside,
 * so a column named `say "hi"` breaks its statements. Doubling them in the keys it reads fixes that
 * without renaming the local column.
 */
export const quoteColumnNames: MapColumnsFn = (message) =>
  Object.fromEntries(
    Object.entries(message.value as Record<string, unknown>).map(([name, value]) => [
      name.replaceAll('"', '""'),
      value,
    ]),
  );

/**
 * A response that began (2xx, headers read) but whose body was cut, as when the server is SIGKILLed
 * mid-response: `@electric-sql/client` 1.5 reads bodies outside its fetch backoff
 * (`createFetchWithConsumedMessages`) and hands the "terminated" `FetchError` to `onError` instead of
 * retrying it. The body is read whole before any message is used, so asking again from the same
 * offset loses and doubles nothing.
 */
export function isCutResponseBody(error: unknown): boolean {
  return (
    error instanceof FetchError &&
    error.status >= 200 &&
    error.status < 300 &&
    error.text === undefined &&
    error.json === undefined
  );
}

/** Turns a client's `onError` into a failed wait: `race(p)` rejects with the first error reported. */
export class ClientErrors {
  /** Cut response bodies the clients were told to ask for again (with `retryCutBodies`). */
  cutBodies = 0;
  private fail: (error: unknown) => void = () => undefined;
  private readonly failed = new Promise<never>((_, reject) => {
    this.fail = reject;
  });

  /** `retryCutBodies`: for tests that kill the server, a cut body is retried, not a failure. */
  constructor(private readonly options: { retryCutBodies?: boolean } = {}) {
    this.failed.catch(() => undefined); // observed through race()
  }

  /** An empty object tells the client to try again from where it is; nothing stops it. */
  readonly onError = (error: unknown): Record<string, never> | undefined => {
    if (this.options.retryCutBodies && isCutResponseBody(error)) {
      this.cutBodies++;
      return {};
    }
    this.fail(error);
    return undefined;
  };

  race<T>(wait: Promise<T>): Promise<T> {
    return Promise.race([wait, this.failed]);
  }
}
