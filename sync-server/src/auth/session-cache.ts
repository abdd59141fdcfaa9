// The resolved-session cache of the request path (SPEC.md SS8–SS11): a live session seen once costs no
// query until it ends. Keyed by the token's hash, bounded (LRU) with a TTL backstop; every way a session
// ends evicts it (here synchronously, elsewhere by NOTIFY), and it serves nothing while the NOTIFY
// connection is down. No IO: the database watch and the queries are outside.
import { LRUCache } from 'lru-cache';
import type { SiteRole } from './roles';
import type { StoredSession } from './session-logic';

/** Migration 0011: '<session_id>' when a session is revoked or deleted, or its user deleted. */
export const SESSION_ENDED_CHANNEL = 'hearth_session_ended';
/** Migration 0012: '<session_id>' for each live session of a user whose site role changed (or whose expiry was cut). */
export const SESSION_CHANGED_CHANNEL = 'hearth_session_changed';
export const SESSION_CACHE_CHANNELS = [SESSION_ENDED_CHANNEL, SESSION_CHANGED_CHANNEL] as const;

export const SESSION_CACHE_MAX = 10_000;
export const SESSION_CACHE_TTL_MS = 30_000;

/** What a live session's row said when it was read (or last renewed by this process). */
export interface CachedSession {
  readonly sessionId: string;
  readonly userId: string;
  readonly siteRole: SiteRole;
  readonly lastSeenAt: Date;
  readonly expiresAt: Date;
}

/** Only live sessions are cached, so the cached facts are a StoredSession neither revoked nor deleted. */
export function storedFacts(session: CachedSession): StoredSession {
  return {
    expiresAt: session.expiresAt,
    lastSeenAt: session.lastSeenAt,
    revokedAt: null,
    userDeletedAt: null,
  };
}

/** The part of db/watch.ts's DbWatch the cache needs. */
export interface NotificationWatch {
  readonly channels: readonly string[];
  readonly listening: boolean;
  subscribe(listener: {
    notification?(channel: string, payload: string | undefined): void;
    lost?(): void;
    resync?(): void;
  }): () => void;
}

export interface SessionCacheOptions {
  max?: number;
  ttlMs?: number;
  /** The TTL's clock (milliseconds); tests move it instead of waiting. */
  now?: () => number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Map key of a token hash (sessions.token_hash, sha256): the raw token is never a key. */
export function cacheKey(hash: Buffer): string {
  return hash.toString('base64url');
}

export class SessionCache {
  private readonly entries: LRUCache<string, CachedSession>;
  private readonly keyBySession = new Map<string, string>();
  private readonly keysByUser = new Map<string, Set<string>>();
  /** Moves on every eviction and every change of the watch: a read that began before may not be stored. */
  private generation = 0;
  private watching = false;

  constructor(options: SessionCacheOptions = {}) {
    const now = options.now;
    this.entries = new LRUCache<string, CachedSession>({
      max: options.max ?? SESSION_CACHE_MAX,
      ttl: options.ttlMs ?? SESSION_CACHE_TTL_MS,
      // A clock of the caller's is read every time (lru-cache otherwise reuses a reading for 1 ms).
      ...(now === undefined ? {} : { perf: { now }, ttlResolution: 0 }),
      dispose: (session, key) => this.unindex(session, key),
    });
  }

  /** SS10: true only while the NOTIFY connection listens; otherwise every request queries. */
  get serving(): boolean {
    return this.watching;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): CachedSession | undefined {
    return this.watching ? this.entries.get(key) : undefined;
  }

  /** Taken before reading a session from the database; `put` stores the result only with a current ticket. */
  ticket(): number {
    return this.generation;
  }

  /**
   * SS9: stores what a read that began at `ticket` found, unless anything was evicted (or the watch
   * changed) since: that eviction may have been this very session, ended after the read's snapshot.
   */
  put(ticket: number, key: string, session: CachedSession): boolean {
    if (!this.watching || ticket !== this.generation) return false;
    this.entries.set(key, session);
    this.keyBySession.set(session.sessionId, key);
    let keys = this.keysByUser.get(session.userId);
    if (keys === undefined) this.keysByUser.set(session.userId, (keys = new Set()));
    keys.add(key);
    return true;
  }

  evictKey(key: string): void {
    this.generation += 1;
    this.entries.delete(key);
  }

  evictSession(sessionId: string): void {
    this.generation += 1;
    const key = this.keyBySession.get(sessionId);
    if (key !== undefined) this.entries.delete(key);
  }

  evictUser(userId: string): void {
    this.generation += 1;
    for (const key of [...(this.keysByUser.get(userId) ?? [])]) this.entries.delete(key);
  }

  clear(): void {
    this.generation += 1;
    this.entries.clear();
  }

  /** SS10: the NOTIFY connection listens (again): what was cached before may have missed an end. */
  watchUp(): void {
    this.clear();
    this.watching = true;
  }

  /** SS10: the NOTIFY connection is down: serve nothing, store nothing, until `watchUp`. */
  watchDown(): void {
    this.watching = false;
    this.clear();
  }

  /** SS11: a notification on SESSION_CACHE_CHANNELS evicts its session; an unreadable one, everything. */
  notified(channel: string, payload: string | undefined): void {
    if (channel !== SESSION_ENDED_CHANNEL && channel !== SESSION_CHANGED_CHANNEL) return;
    if (payload !== undefined && UUID.test(payload)) this.evictSession(payload);
    else this.clear();
  }

  /** Follows `watch` from now on; returns the unsubscribe. */
  follow(watch: NotificationWatch): () => void {
    const missing = SESSION_CACHE_CHANNELS.filter((channel) => !watch.channels.includes(channel));
    if (missing.length > 0)
      throw new Error(`The session cache needs the database watch to LISTEN on ${missing.join(', ')}.`);
    const unsubscribe = watch.subscribe({
      notification: (channel, payload) => this.notified(channel, payload),
      lost: () => this.watchDown(),
      resync: () => this.watchUp(),
    });
    if (watch.listening) this.watchUp();
    return () => {
      unsubscribe();
      this.watchDown();
    };
  }

  private unindex(session: CachedSession, key: string): void {
    if (this.keyBySession.get(session.sessionId) === key) this.keyBySession.delete(session.sessionId);
    const keys = this.keysByUser.get(session.userId);
    keys?.delete(key);
    if (keys?.size === 0) this.keysByUser.delete(session.userId);
  }
}
