// HTTP caching rules of the shape API as pure functions of the request, the config and the clock
// (SPEC.md SE27–SE29, protocol doc §2.3 and §2.8). These carry CDN fan-out, so the strings are exact.

export interface CacheConfig {
  /** ELECTRIC_CACHE_MAX_AGE, default 60 s: non-live responses at offsets other than -1. */
  readonly maxAgeSeconds: number;
  /** ELECTRIC_CACHE_STALE_AGE, default 300 s. */
  readonly staleAgeSeconds: number;
  /** The SSE stream's lifetime, default 60 s; its responses are cached one second less. */
  readonly sseTimeoutMs: number;
}

export const DEFAULT_CACHE_CONFIG: CacheConfig = {
  maxAgeSeconds: 60,
  staleAgeSeconds: 300,
  sseTimeoutMs: 60_000,
};

export type CacheCase =
  | { readonly kind: 'initial' }
  | { readonly kind: 'catch-up' }
  | { readonly kind: 'live' }
  | { readonly kind: 'live-sse' }
  | { readonly kind: 'must-refetch'; readonly hasNewHandle: boolean }
  | { readonly kind: 'error' }
  | { readonly kind: 'no-cache' };

/**
 * `cache-control` per case: `initial` is offset=-1; `catch-up` any other non-live GET (`now` too);
 * `error` any other status >= 400 (send `surrogate-control: no-store` with it); `no-cache` non-GET
 * methods and subset snapshots.
 */
export function cacheControl(c: CacheCase, config: CacheConfig = DEFAULT_CACHE_CONFIG): string {
  switch (c.kind) {
    case 'initial':
      return 'public, max-age=604800, s-maxage=3600, stale-while-revalidate=2629746';
    case 'catch-up':
      return `public, max-age=${config.maxAgeSeconds}, stale-while-revalidate=${config.staleAgeSeconds}`;
    case 'live':
      return 'public, max-age=5, stale-while-revalidate=5';
    case 'live-sse':
      return `public, max-age=${Math.max(Math.floor(config.sseTimeoutMs / 1000) - 1, 0)}`;
    case 'must-refetch':
      return c.hasNewHandle ? 'public, max-age=60, must-revalidate' : 'public, max-age=1, must-revalidate';
    case 'error':
      return 'no-store';
    case 'no-cache':
      return 'no-cache';
  }
}

/** Electric's cursor epoch: 2024-10-09T00:00:00Z. */
export const CURSOR_EPOCH_MS = Date.UTC(2024, 9, 9);

/**
 * The `electric-cursor` of a live response: the end of the current long-poll interval in seconds
 * since the cursor epoch, so all clients polling one (handle, offset) in an interval send the same
 * URL (CDN collapsing), and every next poll's URL is new (no stale cached answer). When that is not
 * past the cursor the client sent, the client's cursor plus `jitterSeconds` (1..3600, random in the
 * shell) is used instead, so the cursor always moves forward.
 */
export function nextCursor(input: {
  readonly nowMs: number;
  readonly longPollTimeoutMs: number;
  readonly clientCursor?: string | undefined;
  readonly jitterSeconds: number;
}): string {
  const interval = Math.floor(input.longPollTimeoutMs / 1000);
  if (interval === 0) return '0';
  const elapsed = Math.floor((input.nowMs - CURSOR_EPOCH_MS) / 1000);
  const next = Math.ceil(elapsed / interval) * interval;
  const client =
    input.clientCursor !== undefined && /^\d+$/.test(input.clientCursor)
      ? Number(input.clientCursor)
      : undefined;
  if (client !== undefined && next <= client) return String(client + input.jitterSeconds);
  return String(next);
}

/**
 * `etag: "<handle>:<request offset>:<response offset>"`. An empty long-poll timeout appends a
 * monotonic tag so a CDN can never revalidate it into a stale 304.
 */
export function etag(
  handle: string,
  requestOffset: string,
  responseOffset: string,
  uniqueTag?: string,
): string {
  const tail = uniqueTag === undefined ? '' : `:${uniqueTag}`;
  return `"${handle}:${requestOffset}:${responseOffset}${tail}"`;
}

/** Whether an `If-None-Match` header names this etag (a list or `*` too), for a 304. */
export function ifNoneMatchHits(ifNoneMatch: string | undefined, tag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  return ifNoneMatch
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''))
    .some((t) => t === '*' || t === tag);
}
