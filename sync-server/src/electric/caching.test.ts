import { describe, expect, it } from 'vitest';
import { cacheControl, CURSOR_EPOCH_MS, etag, ifNoneMatchHits, nextCursor } from './caching';

describe('caching rules', () => {
  it('[SE28] cache-control has the exact value Electric sends in each case', () => {
    expect(cacheControl({ kind: 'initial' })).toBe(
      'public, max-age=604800, s-maxage=3600, stale-while-revalidate=2629746',
    );
    expect(cacheControl({ kind: 'catch-up' })).toBe('public, max-age=60, stale-while-revalidate=300');
    expect(
      cacheControl({ kind: 'catch-up' }, { maxAgeSeconds: 1, staleAgeSeconds: 3, sseTimeoutMs: 60_000 }),
    ).toBe('public, max-age=1, stale-while-revalidate=3');
    expect(cacheControl({ kind: 'live' })).toBe('public, max-age=5, stale-while-revalidate=5');
    expect(cacheControl({ kind: 'live-sse' })).toBe('public, max-age=59');
    expect(cacheControl({ kind: 'must-refetch', hasNewHandle: true })).toBe(
      'public, max-age=60, must-revalidate',
    );
    expect(cacheControl({ kind: 'must-refetch', hasNewHandle: false })).toBe(
      'public, max-age=1, must-revalidate',
    );
    expect(cacheControl({ kind: 'error' })).toBe('no-store');
    expect(cacheControl({ kind: 'no-cache' })).toBe('no-cache');
  });

  it('[SE27] the cursor is the end of the current long-poll interval, equal for every client in it', () => {
    const t = CURSOR_EPOCH_MS + 1_000_010_000; // 1,000,010 s after the epoch
    expect(nextCursor({ nowMs: t, longPollTimeoutMs: 20_000, jitterSeconds: 7 })).toBe('1000020');
    expect(nextCursor({ nowMs: t + 9_000, longPollTimeoutMs: 20_000, jitterSeconds: 7 })).toBe('1000020');
    expect(nextCursor({ nowMs: t + 20_000, longPollTimeoutMs: 20_000, jitterSeconds: 7 })).toBe('1000040');
  });

  it('[SE27] the cursor always moves past the one the client sent', () => {
    const t = CURSOR_EPOCH_MS + 1_000_010_000;
    expect(
      nextCursor({ nowMs: t, longPollTimeoutMs: 20_000, clientCursor: '1000020', jitterSeconds: 7 }),
    ).toBe('1000027');
    expect(
      nextCursor({ nowMs: t, longPollTimeoutMs: 20_000, clientCursor: '999980', jitterSeconds: 7 }),
    ).toBe('1000020');
    expect(nextCursor({ nowMs: t, longPollTimeoutMs: 20_000, clientCursor: 'junk', jitterSeconds: 7 })).toBe(
      '1000020',
    );
    expect(nextCursor({ nowMs: t, longPollTimeoutMs: 500, jitterSeconds: 7 })).toBe('0');
  });

  it('[SE29] the etag is "handle:request offset:response offset", with a unique tail for empty live timeouts', () => {
    expect(etag('3833821-1721812114261', '-1', '0_0')).toBe('"3833821-1721812114261:-1:0_0"');
    expect(etag('h', '26800584_4', '26800584_4', '98765')).toBe('"h:26800584_4:26800584_4:98765"');
    expect(ifNoneMatchHits('"h:-1:0_0"', '"h:-1:0_0"')).toBe(true);
    expect(ifNoneMatchHits('"x", W/"h:-1:0_0"', '"h:-1:0_0"')).toBe(true);
    expect(ifNoneMatchHits('"h:-1:0_1"', '"h:-1:0_0"')).toBe(false);
    expect(ifNoneMatchHits(undefined, '"h:-1:0_0"')).toBe(false);
  });
});
