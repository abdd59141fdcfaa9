// WP20 against a real Postgres: after a group's try without savepoints rolls back, the next groups go
// straight to savepoints for a while, then trying resumes. One lane, so groups form on purpose
// (test-support/harness.ts `queueTogether`); a pause of one group, so the test sees it double and end.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ErrorCode } from '@hearth/schema/errors';
import { newId } from '@hearth/schema/ids';
import {
  call,
  communityWorld,
  GroupWatch,
  queueTogether,
  statuses,
  startWriteHarness,
  type Posted,
  type Send,
  type World,
  type WriteHarness,
} from './test-support/harness';
import { createTestUser } from './test-support/sessions';

const PAUSE = 1;
let h: WriteHarness;
let watch: GroupWatch;
let world: World;

beforeAll(async () => {
  watch = new GroupWatch();
  h = await startWriteHarness({}, { lanes: 1, savepointGroupsAfterRollback: PAUSE, observer: watch });
  world = await communityWorld(h.db.pool);
});
afterAll(() => h.close());

/** One `queueTogether` is two groups: the plug's, then `sends`'. */
const together = (sends: readonly Send[]): Promise<Posted[]> =>
  queueTogether({ harness: h, watch, plugCommunityId: world.otherCommunityId }, sends);

it('[WP20] after a try rolls back, the next groups run with savepoints at once; a further rollback doubles the pause, a commit resets it', async () => {
  const [a, b] = await Promise.all(Array.from({ length: 2 }, () => createTestUser(h.db.pool)));
  const profile = (bio: string) => call('updateProfile', { bio });
  const refused = () => call('joinCommunity', { communityId: newId(), membershipId: newId() });
  const clean = () =>
    together([
      [a!, [profile(`clean ${newId()}`)]],
      [b!, [profile(`too ${newId()}`)]],
    ]);
  const mixed = () =>
    together([
      [a!, [profile(`mixed ${newId()}`)]],
      [b!, [refused()]],
    ]);
  const refusedOnce = [['accepted'], [`rejected ${ErrorCode.notFound}`]];
  const allAccepted = [['accepted'], ['accepted']];

  // Each `together` is two groups: the plug's, then the sends'.
  const before = watch.tries.length;
  expect(statuses(await mixed())).toEqual(refusedOnce); // tried, rolled back: pause 1
  expect(statuses(await mixed())).toEqual(refusedOnce); // plug paused; tried again, rolled back: pause 2
  expect(statuses(await clean())).toEqual(allAccepted); // both paused
  expect(statuses(await clean())).toEqual(allAccepted); // tried, committed: the pause is 1 again
  expect(statuses(await mixed())).toEqual(refusedOnce); // tried, rolled back: pause 1
  expect(statuses(await clean())).toEqual(allAccepted); // plug paused, then tried
  expect(watch.tries.slice(before)).toEqual(
    [
      ['committed', 'rolled back'],
      ['skipped', 'rolled back'],
      ['skipped', 'skipped'],
      ['committed', 'committed'],
      ['committed', 'rolled back'],
      ['skipped', 'committed'],
    ].flat(),
  );
});
