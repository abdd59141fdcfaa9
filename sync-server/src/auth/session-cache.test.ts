// The session cache's bookkeeping without a database (SPEC.md SS8–SS11): keys, bounds, TTL, the ticket
// that keeps an overtaken read out, evictions by session and user, and the watch's up and down.
import { describe, expect, it } from 'vitest';
import {
  cacheKey,
  SESSION_CACHE_CHANNELS,
  SESSION_CHANGED_CHANNEL,
  SESSION_ENDED_CHANNEL,
  SessionCache,
  type CachedSession,
  type NotificationWatch,
} from './session-cache';
import { tokenHash } from './session-logic';

const NOW = new Date('2026-03-01T12:00:00Z');
const LATER = new Date('2026-03-31T12:00:00Z');

function session(n: number, userId = `user-${n}`): CachedSession {
  return {
    sessionId: `0190aaaa-0000-7000-8000-${String(n).padStart(12, '0')}`,
    userId,
    siteRole: 'member',
    lastSeenAt: NOW,
    expiresAt: LATER,
  };
}

function key(n: number): string {
  return cacheKey(tokenHash(`token-${n}`.padEnd(43, 'x')));
}

function watching(options: ConstructorParameters<typeof SessionCache>[0] = {}): SessionCache {
  const cache = new SessionCache(options);
  cache.watchUp();
  return cache;
}

function add(cache: SessionCache, n: number, userId?: string): void {
  expect(cache.put(cache.ticket(), key(n), session(n, userId))).toBe(true);
}

describe('session cache', () => {
  it('[SS8] entries are keyed by the token hash, never the token', () => {
    const token = 'A'.repeat(43);
    expect(cacheKey(tokenHash(token))).toBe(tokenHash(token).toString('base64url'));
    expect(cacheKey(tokenHash(token))).not.toContain(token);
  });

  it('[SS8] at most `max` sessions are held, the least recently used go first', () => {
    const cache = watching({ max: 2 });
    add(cache, 1);
    add(cache, 2);
    expect(cache.get(key(1))).toBeDefined();
    add(cache, 3);
    expect(cache.size).toBe(2);
    expect(cache.get(key(2))).toBeUndefined();
    expect(cache.get(key(1))).toBeDefined();
    expect(cache.get(key(3))).toBeDefined();
  });

  it('[SS8] an entry is dropped after the TTL, however live its session', () => {
    let ms = 1_000;
    const cache = watching({ ttlMs: 30_000, now: () => ms });
    add(cache, 1);
    ms += 30_000;
    expect(cache.get(key(1))).toBeDefined();
    ms += 1;
    expect(cache.get(key(1))).toBeUndefined();
  });

  it('[SS9] a read overtaken by any eviction is not stored', () => {
    const cache = watching();
    const ticket = cache.ticket();
    cache.evictSession(session(9).sessionId);
    expect(cache.put(ticket, key(1), session(1))).toBe(false);
    expect(cache.get(key(1))).toBeUndefined();
    expect(cache.put(cache.ticket(), key(1), session(1))).toBe(true);
  });

  it('[SS9] evictions by key, by session and by user drop exactly those entries', () => {
    const cache = watching();
    add(cache, 1, 'ana');
    add(cache, 2, 'ana');
    add(cache, 3, 'ben');
    add(cache, 4, 'ben');
    cache.evictUser('ana');
    expect([1, 2].map((n) => cache.get(key(n)))).toEqual([undefined, undefined]);
    cache.evictSession(session(3).sessionId);
    expect(cache.get(key(3))).toBeUndefined();
    cache.evictKey(key(4));
    expect(cache.size).toBe(0);
    // The indexes follow the entries: a session cached again is evicted by its id again.
    add(cache, 3, 'ben');
    cache.evictUser('ben');
    expect(cache.get(key(3))).toBeUndefined();
  });

  it('[SS10] [SS11] a notification evicts its session; an unreadable payload empties the cache', () => {
    const cache = watching();
    add(cache, 1);
    add(cache, 2);
    add(cache, 3);
    cache.notified(SESSION_ENDED_CHANNEL, session(1).sessionId);
    cache.notified(SESSION_CHANGED_CHANNEL, session(2).sessionId);
    cache.notified('hearth_draft_author_gone', `${session(3).sessionId} ${session(3).sessionId}`);
    expect([1, 2, 3].map((n) => cache.get(key(n)) !== undefined)).toEqual([false, false, true]);
    cache.notified(SESSION_ENDED_CHANNEL, 'not a session id');
    expect(cache.size).toBe(0);
  });

  it('[SS10] while the watch is down nothing is served or stored; back up, it starts empty', () => {
    const listeners: Parameters<NotificationWatch['subscribe']>[0][] = [];
    const watch: NotificationWatch & { listening: boolean } = {
      channels: [...SESSION_CACHE_CHANNELS],
      listening: false,
      subscribe: (listener) => {
        listeners.push(listener);
        return () => listeners.splice(listeners.indexOf(listener), 1);
      },
    };
    const cache = new SessionCache();
    const unfollow = cache.follow(watch);
    expect(cache.serving).toBe(false);
    expect(cache.put(cache.ticket(), key(1), session(1))).toBe(false);

    for (const listener of listeners) listener.resync?.();
    expect(cache.serving).toBe(true);
    const beforeBreak = cache.ticket();
    add(cache, 1);
    for (const listener of listeners) listener.lost?.();
    expect(cache.get(key(1))).toBeUndefined();
    expect(cache.put(cache.ticket(), key(2), session(2))).toBe(false);
    for (const listener of listeners) listener.resync?.();
    expect(cache.size).toBe(0);
    // A read begun before the break stays out after it.
    expect(cache.put(beforeBreak, key(3), session(3))).toBe(false);

    unfollow();
    expect(listeners).toHaveLength(0);
    expect(cache.serving).toBe(false);
  });

  it('[SS10] following a watch that does not listen on the session channels is refused', () => {
    const watch: NotificationWatch = {
      channels: [SESSION_ENDED_CHANNEL],
      listening: true,
      subscribe: () => () => undefined,
    };
    expect(() => new SessionCache().follow(watch)).toThrow(/hearth_session_changed/);
  });
});
