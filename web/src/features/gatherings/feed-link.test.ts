// The private calendar link as the app reads the server's answer (./SPEC.md GW19).
import { describe, expect, it } from 'vitest';
import { readFeedLink } from './feed-link';

const C = '0197f2a0-0000-7000-8000-000000000001';
const path = `/api/communities/${C}/calendar.ics?token=${'a'.repeat(43)}`;

describe('calendar feed link', () => {
  it('[GW19] a webcal link to this community feed is kept, with its https twin', () => {
    expect(
      readFeedLink(C, 201, {
        url: `webcal://hearth.example${path}`,
        httpUrl: `https://hearth.example${path}`,
      }),
    ).toEqual({ ok: true, url: `webcal://hearth.example${path}`, httpUrl: `https://hearth.example${path}` });
  });

  it('[GW19] a link elsewhere is refused; a refusal carries the server message', () => {
    expect(
      readFeedLink(C, 201, { url: 'javascript:alert(1)', httpUrl: `https://hearth.example${path}` }),
    ).toMatchObject({ ok: false });
    expect(
      readFeedLink(C, 201, {
        url: `webcal://hearth.example/api/communities/other/calendar.ics`,
        httpUrl: `https://hearth.example${path}`,
      }),
    ).toMatchObject({ ok: false });
    expect(readFeedLink(C, 403, { code: 'forbidden', message: 'Only members…' })).toEqual({
      ok: false,
      message: 'Only members…',
    });
    expect(readFeedLink(C, 502, 'oops')).toEqual({
      ok: false,
      message: 'The server could not make a link (HTTP 502).',
    });
  });
});
