// Bad input gets a clear 4xx with a typed code and leaves the database exactly as it was
// (ARCHITECTURE.md invariant 5; SPEC WP2, WP3, WP12). Each case compares a full dump of the tables
// the write path touches before and after.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@hearth/schema/errors';
import { newId } from '@hearth/schema/ids';
import { MUTATION_LIMITS, mutations, type MutationName } from '@hearth/schema/mutations/index';
import {
  call,
  communityWorld,
  dumpTables,
  post,
  startWriteHarness,
  type World,
  type WriteHarness,
} from './test-support/harness';
import type { TestUser } from './test-support/sessions';

let h: WriteHarness;
let world: World;
let me: TestUser;
beforeAll(async () => {
  h = await startWriteHarness();
  world = await communityWorld(h.db.pool);
  me = world.actors.admin;
});
afterAll(() => h.close());

const KNOWN_CODES = new Set<string>(Object.values(ErrorCode));

/** Sends `body` and checks: the status, a typed code, a message naming what is wrong, nothing stored. */
async function refused(
  body: unknown,
  status: number,
  code: ErrorCode,
  message?: RegExp,
  headers?: Record<string, string>,
) {
  const before = await dumpTables(h.db.pool);
  const response = await post(h.app, me, body, headers);
  expect(response.status).toBe(status);
  expect(response.body.code).toBe(code);
  expect(KNOWN_CODES.has(response.body.code ?? '')).toBe(true);
  expect(response.body.message?.length).toBeGreaterThan(10);
  if (message) expect(response.body.message).toMatch(message);
  expect(await dumpTables(h.db.pool)).toEqual(before);
  return response.body;
}

const one = (name: string, args: unknown, id = newId()) => ({ mutations: [call(name, args, id)] });

describe('malformed bodies', () => {
  it('[WP2] text that is not JSON is 400 bad_request', async () => {
    for (const text of ['{', '{"mutations": [}', "{'mutations': []}", '', 'undefined', '{"a":1}}'])
      await refused(text, 400, ErrorCode.badRequest, /not valid JSON/);
  });

  it('[WP3] JSON that is not the envelope is 400 validation_failed naming the field', async () => {
    await refused('null', 400, ErrorCode.validationFailed, /^\(body\): /);
    await refused('[]', 400, ErrorCode.validationFailed, /^\(body\): /);
    await refused('"mutations"', 400, ErrorCode.validationFailed, /^\(body\): /);
    await refused('42', 400, ErrorCode.validationFailed, /^\(body\): /);
    await refused({}, 400, ErrorCode.validationFailed, /^mutations: /);
    await refused({ mutations: {} }, 400, ErrorCode.validationFailed, /^mutations: /);
    await refused({ mutations: [] }, 400, ErrorCode.validationFailed, /^mutations: /);
    await refused(
      { ...one('updateProfile', { bio: 'x' }), admin: true },
      400,
      ErrorCode.validationFailed,
      /admin/,
    );
  });

  it('[WP2] a body that is not declared as JSON is refused with a code', async () => {
    await refused(JSON.stringify(one('updateProfile', { bio: 'x' })), 415, ErrorCode.badRequest, undefined, {
      'content-type': 'text/plain',
    });
  });

  it('[WP2] a body over 1 MiB is 413 payload_too_large', async () => {
    const huge = one('updateProfile', { bio: 'x'.repeat(MUTATION_LIMITS.maxBodyBytes) });
    await refused(huge, 413, ErrorCode.payloadTooLarge);
  });

  it('[WP3] nesting deeper than the limit is refused, however deep', async () => {
    await refused(
      `{"mutations":[{"id":"${newId()}","name":"updateProfile","args":${'['.repeat(5000)}${']'.repeat(5000)}}]}`,
      400,
      ErrorCode.validationFailed,
      /nested deeper/,
    );
  });
});

describe('wrong types and unknown names', () => {
  it('[WP3] wrong types in the envelope name the field', async () => {
    await refused(
      { mutations: [{ id: 7, name: 'updateProfile', args: {} }] },
      400,
      ErrorCode.validationFailed,
      /^mutations\[0\]\.id: /,
    );
    await refused(
      { mutations: [{ id: newId(), name: ['updateProfile'], args: {} }] },
      400,
      ErrorCode.validationFailed,
      /^mutations\[0\]\.name: /,
    );
    await refused(
      { mutations: [{ id: newId(), name: 'updateProfile' }] },
      400,
      ErrorCode.validationFailed,
      /^mutations\[0\]\.args: /,
    );
    await refused(
      {
        mutations: [{ id: '3b241101-e2bb-4255-8caf-4136c566a962', name: 'updateProfile', args: { bio: '' } }],
      },
      400,
      ErrorCode.validationFailed,
      /^mutations\[0\]\.id: /,
    );
  });

  it('[WP3] wrong types in args name the field and the mutation', async () => {
    const cases: [string, unknown, RegExp][] = [
      ['updateProfile', { displayName: 42 }, /args\.displayName: /],
      ['updateProfile', { bio: null }, /args\.bio: /],
      ['updateProfile', 'bio', /args: /],
      ['updateProfile', [], /args: /],
      ['joinCommunity', { communityId: 1, membershipId: newId() }, /args\.communityId: /],
      [
        'decideMembership',
        { communityId: world.communityId, userId: world.pending.id, decision: true },
        /args\.decision: /,
      ],
      [
        'changeRole',
        { communityId: world.communityId, userId: world.target.id, role: ['admin'] },
        /args\.role: /,
      ],
      [
        'createCommunity',
        { id: newId(), membershipId: newId(), slug: 'ok', name: 'Ok', visibility: 0 },
        /args\.visibility: /,
      ],
      ['updateProfile', { bio: 'x', siteRole: 'moderator' }, /args: .*siteRole/],
    ];
    for (const [name, args, message] of cases) {
      const id = newId();
      const body = await refused(one(name, args, id), 400, ErrorCode.validationFailed, message);
      expect(body.mutationId).toBe(id);
    }
  });

  it('[WP3] huge strings are refused by the field limits', async () => {
    for (const [name, args] of [
      ['updateProfile', { displayName: 'x'.repeat(81) }],
      ['updateProfile', { displayName: 'x'.repeat(500_000) }],
      ['updateProfile', { bio: 'x'.repeat(2001) }],
      ['updateProfile', { locale: 'x'.repeat(36) }],
      ['updateProfile', { timeZone: 'x'.repeat(65) }],
      ['createCommunity', { id: newId(), membershipId: newId(), slug: 'a'.repeat(65), name: 'Ok' }],
      ['updateCommunity', { communityId: world.communityId, name: 'x'.repeat(121) }],
      ['updateCommunity', { communityId: world.communityId, description: 'x'.repeat(10_001) }],
    ] as const)
      await refused(one(name, args), 400, ErrorCode.validationFailed, /Too big|must be/);
  });

  it('[WP3] text with NUL, control characters or lone surrogates is refused', async () => {
    for (const displayName of ['a\u0000b', 'a\u001bb', 'a\ud800b'])
      await refused(one('updateProfile', { displayName }), 400, ErrorCode.validationFailed, /displayName/);
  });

  it('[WP3] unknown mutation names are 400 unknown_mutation, prototype names included', async () => {
    for (const name of [
      'dropUsers',
      'UpdateProfile',
      'constructor',
      '__proto__',
      'toString',
      'hasOwnProperty',
    ])
      await refused(one(name, {}), 400, ErrorCode.unknownMutation, /there is no mutation named/);
  });

  it('[WP3] more than 100 mutations is 400 batch_too_large', async () => {
    const batch = Array.from({ length: MUTATION_LIMITS.maxBatch + 1 }, () =>
      call('updateProfile', { bio: 'x' }),
    );
    await refused({ mutations: batch }, 400, ErrorCode.batchTooLarge, /at most 100/);
  });

  it('[WP3] one bad mutation after good ones refuses the batch: the good ones are not applied', async () => {
    const batch = {
      mutations: [
        call('updateProfile', { bio: 'would apply' }),
        call('followCommunity', { communityId: world.communityId, followId: newId() }),
        call('updateProfile', { displayName: '' }),
      ],
    };
    await refused(batch, 400, ErrorCode.validationFailed, /^mutations\[2\]\.args\.displayName: /);
  });
});

describe('__proto__ and friends', () => {
  const id = () => newId();
  it('[WP3] __proto__, constructor and prototype keys are refused wherever they are', async () => {
    const bodies = [
      `{"__proto__":{"admin":true},"mutations":[{"id":"${id()}","name":"updateProfile","args":{"bio":"x"}}]}`,
      `{"mutations":[{"__proto__":{},"id":"${id()}","name":"updateProfile","args":{"bio":"x"}}]}`,
      `{"mutations":[{"id":"${id()}","name":"updateProfile","args":{"bio":"x","__proto__":{"siteRole":"moderator"}}}]}`,
      `{"mutations":[{"id":"${id()}","name":"updateProfile","args":{"bio":"x","constructor":{"prototype":{}}}}]}`,
      `{"mutations":[{"id":"${id()}","name":"updateProfile","args":{"bio":"x","prototype":1}}]}`,
      `{"mutations":[{"id":"${id()}","name":"blockUser","args":{"userId":"${world.target.id}","blockId":"${id()}","x":[{"__proto__":1}]}}]}`,
    ];
    for (const body of bodies)
      await refused(body, 400, ErrorCode.validationFailed, /keys named __proto__, constructor or prototype/);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });
});

describe('SQL fragments', () => {
  const FRAGMENTS = [
    "'; DROP TABLE users; --",
    '" OR "1"="1',
    "1'); DELETE FROM memberships; --",
    '$$; TRUNCATE receipts; $$',
    "' UNION SELECT token_hash FROM sessions --",
  ];
  /** Free text: a fragment is a valid value, stored as typed and never executed. */
  const FREE_TEXT = new Set([
    'displayName',
    'bio',
    'name',
    'description',
    'title',
    'placeName',
    'address',
    'contentWarning',
    'body',
  ]);

  function validArgs(name: MutationName): Record<string, unknown> {
    const c = world.communityId;
    const valid: Record<MutationName, Record<string, unknown>> = {
      updateProfile: { displayName: 'Ada', bio: 'b', locale: 'en', timeZone: 'UTC' },
      blockUser: { userId: world.target.id, blockId: newId() },
      unblockUser: { userId: world.target.id },
      createCommunity: {
        id: newId(),
        membershipId: newId(),
        slug: `s-${newId()}`,
        name: 'N',
        description: 'D',
        visibility: 'public',
        joinPolicy: 'open',
      },
      updateCommunity: {
        communityId: c,
        name: 'N',
        description: 'D',
        visibility: 'public',
        joinPolicy: 'open',
      },
      joinCommunity: { communityId: c, membershipId: newId() },
      leaveCommunity: { communityId: c },
      decideMembership: { communityId: c, userId: world.pending.id, decision: 'approve' },
      removeMember: { communityId: c, userId: world.target.id },
      changeRole: { communityId: c, userId: world.target.id, role: 'organizer' },
      followCommunity: { communityId: c, followId: newId() },
      unfollowCommunity: { communityId: c },
      createEvent: {
        id: newId(),
        hostId: newId(),
        communityId: c,
        title: 'T',
        description: 'D',
        visibility: 'public',
        startsAt: '2030-06-01T19:00:00+01:00',
        endsAt: '2030-06-01T21:00:00+01:00',
        timeZone: 'Europe/London',
        placeName: 'P',
        address: 'A',
        onlineUrl: 'https://meet.example.org/x',
        coverMediaId: newId(),
        capacity: 10,
        requiresApproval: false,
        guestLimit: 1,
      },
      updateEvent: {
        eventId: newId(),
        title: 'T',
        startsAt: '2030-06-01T19:00:00Z',
        timeZone: 'UTC',
        capacity: 5,
      },
      cancelEvent: { eventId: newId() },
      addEventHost: { eventId: newId(), userId: world.target.id, role: 'checkin', hostId: newId() },
      removeEventHost: { eventId: newId(), userId: world.target.id },
      setRsvp: { eventId: newId(), rsvpId: newId(), status: 'going', guests: 1 },
      decideRsvp: { rsvpId: newId(), decision: 'approve' },
      createTicketTier: {
        tierId: newId(),
        eventId: newId(),
        name: 'N',
        pricing: 'fixed',
        priceCents: 800,
        currency: 'EUR',
        capacity: 10,
        salesStartAt: '2030-05-01T00:00:00Z',
        salesEndAt: '2030-06-01T00:00:00Z',
        hidden: true,
        code: 'FRIENDS-1',
        position: 1,
      },
      updateTicketTier: { tierId: newId(), capacity: 5, code: 'FRIENDS-2' },
      claimTicket: { ticketId: newId(), tierId: newId(), code: 'FRIENDS-1', priceCents: 100 },
      cancelTicket: { ticketId: newId() },
      checkIn: {
        checkInId: newId(),
        eventId: newId(),
        ticketId: newId(),
        method: 'qr',
        code: 'HT1.a.b.c.d.e',
        deviceScannedAt: '2030-06-01T19:02:00Z',
      },
      recordDoorPayment: { ticketId: newId(), method: 'cash', amountCents: 1200 },
      createDraft: { draftId: newId(), title: 'T', communityId: c, language: 'en', visibility: 'community' },
      updateDraft: {
        draftId: newId(),
        title: 'T',
        communityId: c,
        language: 'en',
        visibility: 'public',
        contentWarning: 'W',
        emotions: ['joy'],
        tags: [{ kind: 'place', label: 'Lagos' }],
      },
      inviteCoAuthor: { draftId: newId(), userId: world.target.id },
      removeCoAuthor: { draftId: newId(), userId: world.target.id },
      archiveDraft: { draftId: newId() },
      publishDraft: { draftId: newId() },
      setStoryVisibility: { storyId: newId(), visibility: 'public' },
      unpublishStory: { storyId: newId() },
      postComment: {
        commentId: newId(),
        subject: { storyId: newId() },
        parentId: newId(),
        body: 'B',
        kind: 'comment',
      },
      editComment: { commentId: newId(), body: 'B' },
      deleteComment: { commentId: newId() },
      react: { subject: { eventId: newId() }, emotionKey: 'joy' },
      unreact: { subject: { commentId: newId() } },
    };
    return valid[name];
  }

  const names = Object.keys(mutations) as MutationName[];

  it('[WP12] in every typed field of every mutation, a fragment is 400 validation_failed and changes nothing', async () => {
    let checked = 0;
    for (const name of names) {
      for (const field of Object.keys(validArgs(name))) {
        if (FREE_TEXT.has(field)) continue;
        for (const fragment of FRAGMENTS) {
          await refused(
            one(name, { ...validArgs(name), [field]: fragment }),
            400,
            ErrorCode.validationFailed,
            new RegExp(`^mutations\\[0\\]\\.args\\.${field}: `),
          );
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('[WP12] in the envelope (id, name, keys), a fragment is a 400 with a code and changes nothing', async () => {
    for (const fragment of FRAGMENTS) {
      await refused(
        { mutations: [call('updateProfile', { bio: 'x' }, fragment)] },
        400,
        ErrorCode.validationFailed,
      );
      await refused(one(fragment, { bio: 'x' }), 400, ErrorCode.unknownMutation);
      await refused(
        { mutations: [{ ...call('updateProfile', { bio: 'x' }), [fragment]: 1 }] },
        400,
        ErrorCode.validationFailed,
      );
      await refused(one('updateProfile', { bio: 'x', [fragment]: 1 }), 400, ErrorCode.validationFailed);
    }
  });

  it('[WP12] in free-text fields, a fragment is stored verbatim and nothing else happens', async () => {
    const counts = async () =>
      (
        await h.db.pool.query<{ t: string; n: number }>(
          `select 'users' as t, count(*)::int as n from users union all select 'memberships', count(*)::int from memberships
           union all select 'sessions', count(*)::int from sessions union all select 'receipts', count(*)::int from receipts`,
        )
      ).rows;
    for (const fragment of FRAGMENTS) {
      const before = await counts();
      const profile = await post(h.app, me, one('updateProfile', { displayName: fragment, bio: fragment }));
      expect(profile.body.outcomes?.[0]?.status).toBe('accepted');
      expect(
        (await h.db.pool.query(`select display_name, bio from users where id = $1`, [me.id])).rows,
      ).toEqual([{ display_name: fragment.trim(), bio: fragment }]);
      const update = await post(
        h.app,
        me,
        one('updateCommunity', { communityId: world.communityId, name: fragment, description: fragment }),
      );
      expect(update.body.outcomes?.[0]?.status).toBe('accepted');
      expect(
        (
          await h.db.pool.query(`select name, description from communities where id = $1`, [
            world.communityId,
          ])
        ).rows,
      ).toEqual([{ name: fragment.trim(), description: fragment }]);
      const after = await counts();
      expect(after).toEqual(before.map((row) => (row.t === 'receipts' ? { ...row, n: row.n + 2 } : row)));
    }
  });
});
