// Group commit (SPEC WP13–WP18) against a real Postgres: one lane, so a group is formed on purpose by
// holding the lane with a request that waits on a row lock while the next requests queue behind it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@hearth/schema/errors';
import { newId } from '@hearth/schema/ids';
import {
  addMembership,
  call,
  communityWorld,
  GroupWatch,
  post,
  queueTogether,
  statuses,
  startWriteHarness,
  type Posted,
  type Send,
  type World,
  type WriteHarness,
} from './test-support/harness';
import { createTestUser } from './test-support/sessions';

const MAX_MUTATIONS = 8;
let h: WriteHarness;
let watch: GroupWatch;
let world: World;
let plug: { communityId: string };

beforeAll(async () => {
  watch = new GroupWatch();
  // Every group tries without savepoints first (no WP20 pause), so each test sees its own tries.
  h = await startWriteHarness(
    {},
    { lanes: 1, maxMutations: MAX_MUTATIONS, savepointGroupsAfterRollback: 0, observer: watch },
  );
  world = await communityWorld(h.db.pool);
  plug = { communityId: world.otherCommunityId };
  // xmin would name each savepoint's subtransaction; txid_current() names the transaction itself.
  await q(`create table receipt_tx (id uuid primary key, tx bigint not null)`);
  await q(`create function record_receipt_tx() returns trigger language plpgsql as $$
    begin insert into receipt_tx values (new.id, txid_current()); return null; end $$`);
  await q(
    `create trigger record_receipt_tx after insert on receipts for each row execute function record_receipt_tx()`,
  );
});
afterAll(() => h.close());

const q = <R extends object = Record<string, unknown>>(sql: string, params: unknown[] = []) =>
  h.db.pool.query<R>(sql, params).then((result) => result.rows);

/** Sends `sends` as one group behind the plug (test-support/harness.ts `together`). */
const together = (sends: readonly Send[]): Promise<Posted[]> =>
  queueTogether({ harness: h, watch, plugCommunityId: plug.communityId }, sends);

/** The top-level transaction that wrote each receipt (a trigger records it), keyed by mutation id. */
async function writtenBy(ids: readonly string[]): Promise<Map<string, string>> {
  const rows = await q<{ id: string; tx: string }>(`select id, tx::text from receipt_tx where id = any($1)`, [
    ids,
  ]);
  return new Map(rows.map((row) => [row.id, row.tx]));
}

describe('groups', () => {
  it('[WP13] requests queued behind a transaction share the next one and each gets its own outcome', async () => {
    const users = await Promise.all(Array.from({ length: 5 }, () => createTestUser(h.db.pool)));
    const sends: Send[] = users.map((user, i) => [user, [call('updateProfile', { bio: `mine ${i}` })]]);
    const before = watch.groups.length;
    const answers = await together(sends);
    expect(statuses(answers)).toEqual(users.map(() => ['accepted']));
    expect(watch.groups.slice(before + 1)).toEqual([{ requests: 5, mutations: 5 }]);
    const xids = await writtenBy(sends.map(([, [m]]) => m!.id));
    expect(new Set(xids.values()).size).toBe(1);
    for (const [i, user] of users.entries())
      expect(await q(`select bio from users where id = $1`, [user.id])).toEqual([{ bio: `mine ${i}` }]);
  });

  it('[WP13] a group holds at most the cap of mutations; the rest form the next group', async () => {
    const users = await Promise.all(
      Array.from({ length: MAX_MUTATIONS + 2 }, () => createTestUser(h.db.pool)),
    );
    const before = watch.groups.length;
    const answers = await together(users.map((user) => [user, [call('updateProfile', { bio: 'capped' })]]));
    expect(statuses(answers).flat()).toEqual(users.map(() => 'accepted'));
    expect(watch.groups.slice(before + 1)).toEqual([
      { requests: MAX_MUTATIONS, mutations: MAX_MUTATIONS },
      { requests: 2, mutations: 2 },
    ]);
  });

  it('[WP14] a refused member is rolled back alone: nothing of it stays, its neighbours commit', async () => {
    const [a, b, c] = await Promise.all(Array.from({ length: 3 }, () => createTestUser(h.db.pool)));
    const takenMembershipId = await addMembership(h.db.pool, world.communityId, a!.id, 'member', 'active');
    const communityId = newId();
    // The community row is written, then the membership's primary key refuses it (23505).
    const refused = call('createCommunity', {
      id: communityId,
      membershipId: takenMembershipId,
      slug: `half-${communityId}`,
      name: 'Half',
    });
    const after = call('updateProfile', { bio: 'after the refusal' });
    const answers = await together([
      [a!, [call('updateProfile', { bio: 'neighbour a' })]],
      [b!, [refused, after]],
      [c!, [call('followCommunity', { communityId: world.communityId, followId: newId() })]],
    ]);
    expect(statuses(answers)).toEqual([
      ['accepted'],
      [`rejected ${ErrorCode.conflict}`, 'accepted'],
      ['accepted'],
    ]);
    expect(await q(`select id from communities where id = $1`, [communityId])).toEqual([]);
    expect(await q(`select status, error_code from receipts where id = $1`, [refused.id])).toEqual([
      { status: 'rejected', error_code: ErrorCode.conflict },
    ]);
    expect(await q(`select bio from users where id = any($1) order by bio`, [[a!.id, b!.id]])).toEqual([
      { bio: 'after the refusal' },
      { bio: 'neighbour a' },
    ]);
    expect(await q(`select count(*)::int as n from follows where follower_id = $1`, [c!.id])).toEqual([
      { n: 1 },
    ]);
  });

  it('[WP19] a group is tried first without savepoints: all accepted commits in that try; a refusal rolls the try back and the group runs again with savepoints, applying each member once', async () => {
    const [a, b, c] = await Promise.all(Array.from({ length: 3 }, () => createTestUser(h.db.pool)));
    const follow = () => call('followCommunity', { communityId: world.communityId, followId: newId() });
    let before = watch.tries.length;
    const clean = await together([
      [a!, [call('updateProfile', { bio: 'tried once' })]],
      [b!, [follow()]],
    ]);
    expect(statuses(clean)).toEqual([['accepted'], ['accepted']]);
    // The plug's group, then this one: both committed in their first try.
    expect(watch.tries.slice(before)).toEqual(['committed', 'committed']);

    before = watch.tries.length;
    const refused = call('joinCommunity', { communityId: newId(), membershipId: newId() });
    const mixed = await together([
      [c!, [follow()]],
      [a!, [refused]],
      [b!, [call('updateProfile', { bio: 'after a refusal' })]],
    ]);
    expect(statuses(mixed)).toEqual([['accepted'], [`rejected ${ErrorCode.notFound}`], ['accepted']]);
    expect(watch.tries.slice(before)).toEqual(['committed', 'rolled back']);
    expect(await q(`select count(*)::int as n from follows where follower_id = $1`, [c!.id])).toEqual([
      { n: 1 },
    ]);
    expect(await q(`select status from receipts where id = $1`, [refused.id])).toEqual([
      { status: 'rejected' },
    ]);
  });

  it('[WP15] an id sent several times inside one group is applied once; every copy answers its one outcome', async () => {
    const outsider = await createTestUser(h.db.pool);
    const stranger = await createTestUser(h.db.pool);
    const join = call('joinCommunity', { communityId: world.communityId, membershipId: newId() });
    const forbidden = call('updateCommunity', { communityId: world.communityId, name: 'Not yours' });
    const before = watch.groups.length;
    const answers = await together([
      [outsider, [join]],
      [world.actors.member, [forbidden]],
      [outsider, [join]],
      [world.actors.member, [forbidden]],
      [stranger, [join]],
    ]);
    expect(watch.groups.slice(before + 1)).toEqual([{ requests: 5, mutations: 5 }]);
    expect(statuses(answers)).toEqual([
      ['accepted'],
      [`rejected ${ErrorCode.forbidden}`],
      ['accepted'],
      [`rejected ${ErrorCode.forbidden}`],
      [`rejected ${ErrorCode.mutationIdTaken}`],
    ]);
    expect(answers[3]?.body).toEqual(answers[1]?.body);
    expect(
      await q(`select count(*)::int as n from receipts where id = any($1)`, [[join.id, forbidden.id]]),
    ).toEqual([{ n: 2 }]);
    expect(
      await q(`select count(*)::int as n from memberships where community_id = $1 and user_id = any($2)`, [
        world.communityId,
        [outsider.id, stranger.id],
      ]),
    ).toEqual([{ n: 1 }]);
  });
});

describe('failures', () => {
  it('[WP16] a member that loses a lock race is rolled back alone and runs by itself after the group commits', async () => {
    // A real serialization failure (40001) from Postgres, raised the first two times this bio is
    // written: in the group's try without savepoints (WP19), then in its run with savepoints.
    await q(`create sequence lose_once`);
    await q(`create function lose_race() returns trigger language plpgsql as $$
      begin
        if new.bio = 'lose the race' and nextval('lose_once') <= 2 then
          raise exception 'could not serialize access' using errcode = '40001';
        end if;
        return new;
      end $$`);
    await q(`create trigger lose_race before update on users for each row execute function lose_race()`);
    try {
      const [a, b, c] = await Promise.all(Array.from({ length: 3 }, () => createTestUser(h.db.pool)));
      const racer = [
        call('updateProfile', { bio: 'lose the race' }),
        call('updateProfile', { displayName: 'Then' }),
      ];
      const first = call('updateProfile', { bio: 'first' });
      const last = call('updateProfile', { bio: 'last' });
      const answers = await together([
        [a!, [first]],
        [b!, racer],
        [c!, [last]],
      ]);
      expect(statuses(answers)).toEqual([['accepted'], ['accepted', 'accepted'], ['accepted']]);
      const xids = await writtenBy([first.id, last.id, ...racer.map((m) => m.id)]);
      expect(xids.get(first.id)).toBe(xids.get(last.id));
      expect(xids.get(racer[0]!.id)).not.toBe(xids.get(first.id));
      expect(xids.get(racer[1]!.id)).not.toBe(xids.get(racer[0]!.id));
      expect(await q(`select bio, display_name from users where id = $1`, [b!.id])).toEqual([
        { bio: 'lose the race', display_name: 'Then' },
      ]);
    } finally {
      await q(`drop trigger lose_race on users; drop function lose_race(); drop sequence lose_once`);
    }
  });

  it('[WP17] a commit that fails answers every member retry and stores nothing; a resend applies once', async () => {
    const [a, b] = await Promise.all(Array.from({ length: 2 }, () => createTestUser(h.db.pool)));
    // A deferred constraint trigger fails at COMMIT, after every member's statements succeeded.
    await q(`create table commit_fails (user_id uuid primary key)`);
    await q(`create function fail_commit() returns trigger language plpgsql as $$
      begin
        if exists (select 1 from commit_fails where user_id = new.user_id) then
          raise exception 'commit refused';
        end if;
        return null;
      end $$`);
    await q(`create constraint trigger fail_commit after insert on receipts deferrable initially deferred
             for each row execute function fail_commit()`);
    try {
      await q(`insert into commit_fails values ($1)`, [b!.id]);
      const mine = [
        call('updateProfile', { bio: 'a' }),
        call('followCommunity', { communityId: world.communityId, followId: newId() }),
      ];
      const theirs = [call('updateProfile', { bio: 'b' })];
      const answers = await together([
        [a!, mine],
        [b!, theirs],
      ]);
      for (const outcome of answers.flatMap((answer) => answer.body.outcomes ?? []))
        expect(outcome).toMatchObject({ status: 'retry', code: ErrorCode.unavailable });
      const ids = [...mine, ...theirs].map((m) => m.id);
      expect(await q(`select id from receipts where id = any($1)`, [ids])).toEqual([]);
      expect(
        await q(`select bio from users where id = any($1) and bio in ('a', 'b')`, [[a!.id, b!.id]]),
      ).toEqual([]);
      expect(await q(`select id from follows where follower_id = $1`, [a!.id])).toEqual([]);

      await q(`delete from commit_fails`);
      const resent = await together([
        [a!, mine],
        [b!, theirs],
      ]);
      expect(statuses(resent)).toEqual([['accepted', 'accepted'], ['accepted']]);
      expect(await q(`select count(*)::int as n from receipts where id = any($1)`, [ids])).toEqual([
        { n: 3 },
      ]);
    } finally {
      await q(`drop trigger fail_commit on receipts; drop function fail_commit(); drop table commit_fails`);
    }
  });

  it('[WP18] a batch longer than the cap runs in chunks, in order, each its own group', async () => {
    const me = await createTestUser(h.db.pool);
    const batch = Array.from({ length: 2 * MAX_MUTATIONS + 3 }, (_, i) =>
      call('updateProfile', { bio: `step ${i}` }),
    );
    const before = watch.groups.length;
    const { body } = await post(h.app, me, { mutations: batch });
    expect(body.outcomes?.map((o) => o.id)).toEqual(batch.map((m) => m.id));
    expect(body.outcomes?.every((o) => o.status === 'accepted')).toBe(true);
    expect(watch.groups.slice(before).map((g) => g.mutations)).toEqual([MAX_MUTATIONS, MAX_MUTATIONS, 3]);
    expect(await q(`select bio from users where id = $1`, [me.id])).toEqual([
      { bio: `step ${batch.length - 1}` },
    ]);
    const xids = await writtenBy(batch.map((m) => m.id));
    expect(new Set(xids.values()).size).toBe(3);
  });
});
