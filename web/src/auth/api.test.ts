// Reading the server's answers (SPEC.md AU4, AU5): refusals keep their typed code, and the provider
// list can only lead to our own OIDC paths.
import { ErrorCode } from '@hearth/schema/errors';
import { describe, expect, it } from 'vitest';
import { readProviders, readRefusal, retryAfterSeconds } from './api';

describe('[AU4] refusals', () => {
  it('[AU4] a {code, message} body keeps its code and message, with Retry-After', () => {
    expect(readRefusal(429, { code: 'rate_limited', message: 'Too many attempts.' }, 30)).toEqual({
      kind: 'refused',
      status: 429,
      code: 'rate_limited',
      message: 'Too many attempts.',
      retryAfterSeconds: 30,
    });
  });

  it('[AU4] a body that is not {code, message} gets a code from its status', () => {
    expect(readRefusal(429, undefined, null)).toMatchObject({ code: ErrorCode.rateLimited, message: '' });
    expect(readRefusal(502, '<html>', null)).toMatchObject({ code: ErrorCode.unavailable });
    expect(readRefusal(401, {}, null)).toMatchObject({ code: ErrorCode.unauthenticated });
    expect(readRefusal(404, null, null)).toMatchObject({ code: ErrorCode.badRequest });
  });

  it('[AU4] Retry-After is read as seconds or as an HTTP date', () => {
    const now = Date.parse('2031-01-01T00:00:00Z');
    expect(retryAfterSeconds('120', now)).toBe(120);
    expect(retryAfterSeconds('Wed, 01 Jan 2031 00:01:30 GMT', now)).toBe(90);
    expect(retryAfterSeconds(null, now)).toBeNull();
    expect(retryAfterSeconds('soon', now)).toBeNull();
  });
});

describe('[AU5] providers', () => {
  it('[AU5] each provider becomes a link to our own /api/auth/oidc/<name>, whatever URL was sent', () => {
    expect(
      readProviders({
        password: true,
        providers: [
          { name: 'test', label: 'Test ID', url: '/api/auth/oidc/test' },
          { name: 'evil', label: 'Evil', url: 'https://evil.example/steal' },
        ],
      }),
    ).toEqual([
      { name: 'test', label: 'Test ID', url: '/api/auth/oidc/test' },
      { name: 'evil', label: 'Evil', url: '/api/auth/oidc/evil' },
    ]);
  });

  it('[AU5] a name that is not a plain slug is left out; an empty label falls back to the name', () => {
    expect(
      readProviders({
        password: true,
        providers: [
          { name: '../signout', label: 'x', url: '' },
          { name: 'gitlab', label: ' ', url: '' },
        ],
      }),
    ).toEqual([{ name: 'gitlab', label: 'gitlab', url: '/api/auth/oidc/gitlab' }]);
  });

  it('[AU5] an answer this version cannot read shows no buttons', () => {
    expect(readProviders({ providers: 'nope' })).toEqual([]);
  });
});
