// The read half in real Chromium against the real server with the demo data (web/src/sync/SPEC.md):
// the first load fills the replica behind a progress bar and the feed reads it; the status follows the
// network and the identity. Waits for what the page shows or the replica holds, never for time.
import { newId } from '@hearth/schema/ids';
import { expect, test, type BrowserContext, type Page, type Request } from '@playwright/test';
import { replicaCount, signInDemo, syncStatus, waitForServiceWorkerControl, waitForUpToDate } from './steps';

// Sign-in, resyncs and a second browser share one machine's two cores: waits on the replica get room.
test.describe.configure({ timeout: 150_000 });

/** Every value the first-sync bar showed, from the first frame (it can fill faster than a poll). */
async function recordFirstSyncBar(page: Page): Promise<{ now: number; max: number }[]> {
  const seen: { now: number; max: number }[] = [];
  await page.exposeFunction('hearthSawFirstSync', (now: number, max: number) => seen.push({ now, max }));
  await page.addInitScript(() => {
    const report = (window as unknown as { hearthSawFirstSync: (now: number, max: number) => void })
      .hearthSawFirstSync;
    let last = '';
    new MutationObserver(() => {
      const bar = document.querySelector('[data-testid="first-sync-bar"][role="progressbar"]');
      if (bar === null) return;
      const now = bar.getAttribute('aria-valuenow') ?? '';
      const max = bar.getAttribute('aria-valuemax') ?? '';
      if (`${now}/${max}` === last) return;
      last = `${now}/${max}`;
      report(Number(now), Number(max));
    }).observe(document, { subtree: true, childList: true, attributes: true });
  });
  return seen;
}

test('[SY3] the first load shows a progress bar, then the demo events and stories from the replica', async ({
  page,
}) => {
  const seen = await recordFirstSyncBar(page);
  await page.goto('/');

  const events = page.getByTestId('feed-event');
  await expect(events.filter({ hasText: 'Story Circle: Letters We Never Sent' })).toBeVisible({
    timeout: 45_000,
  });
  await expect(page.getByTestId('sync-status')).toHaveAttribute('data-state', 'up-to-date');
  await expect(page.getByTestId('first-sync')).toHaveCount(0);
  expect(seen.length).toBeGreaterThan(0);
  expect(seen[0]?.max).toBeGreaterThan(0);
  expect(seen.every(({ now, max }) => now >= 0 && now <= max)).toBe(true);

  // Only public, upcoming events: not the community-only or the unlisted one.
  await expect(events.filter({ hasText: 'Lullaby swap (members only)' })).toHaveCount(0);
  await expect(events.filter({ hasText: 'Soirée contes et crêpes' })).toHaveCount(0);
  await expect(events.first().locator('time')).toHaveText(/\d/);

  const story = page.getByTestId('feed-story').filter({ hasText: "My grandmother's radio" });
  await expect(story).toBeVisible();
  await expect(story.getByTestId('story-language')).toHaveText('English');
  await expect(story.getByTestId('story-emotion')).toHaveCount(3);
});

test('[SY3] a reload resumes the saved sync: no progress bar, and up to date again', async ({ page }) => {
  const seen = await recordFirstSyncBar(page);
  await page.goto('/');
  const status = page.getByTestId('sync-status');
  await expect(status).toHaveAttribute('data-state', 'up-to-date', { timeout: 45_000 });
  seen.length = 0;
  await page.reload();
  await expect(status).toHaveAttribute('data-state', 'up-to-date', { timeout: 45_000 });
  await expect(page.getByTestId('feed-event').first()).toBeVisible();
  expect(seen).toEqual([]);
});

test('[SY4] the status says offline without a network and up to date when it is back', async ({
  page,
  context,
}) => {
  await page.goto('/');
  const status = page.getByTestId('sync-status');
  await expect(status).toHaveAttribute('data-state', 'up-to-date', { timeout: 45_000 });
  await context.setOffline(true);
  await expect(status).toHaveAttribute('data-state', 'offline');
  await expect(status).toHaveText('Offline');
  await context.setOffline(false);
  await expect(status).toHaveAttribute('data-state', 'up-to-date');
});

test('[SY8] signing in re-subscribes: the replica gains the rows only a signed-in viewer sees', async ({
  page,
}) => {
  await page.goto('/');
  await expect(page.getByTestId('sync-status')).toHaveAttribute('data-state', 'up-to-date', {
    timeout: 45_000,
  });
  await signInDemo(page);

  // The demo user's memberships come only through the signed-in `memberships` shape: wait for them live.
  const memberships = await replicaCount(page, 'select 1 from memberships', [], 'positive');
  expect(memberships).toBeGreaterThanOrEqual(4);
  await expect(page.getByTestId('sync-status')).toHaveAttribute('data-state', 'up-to-date');
});

/** A new public community, as `createCommunity` takes it: ids made here, a slug nobody has. */
function newCommunity(label: string) {
  const suffix = `${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
  return {
    id: newId(),
    membershipId: newId(),
    slug: `e2e-${label}-${suffix}`,
    name: `E2E ${label} ${suffix}`,
  };
}

type Community = ReturnType<typeof newCommunity>;

function createCommunity(page: Page, community: Community) {
  return page.evaluate((args) => window.hearth.mutate('createCommunity', args), community);
}

const COMMUNITY_BY_ID = 'select 1 from communities where id = $1';

/** Counts, per mutation id, the `POST /api/mutations` requests of every page of `context` that carry it. */
function countSends(context: BrowserContext): Map<string, number> {
  const sends = new Map<string, number>();
  context.on('request', (request: Request) => {
    if (!request.url().endsWith('/api/mutations') || request.method() !== 'POST') return;
    const body = request.postDataJSON() as { mutations?: { id?: string }[] } | null;
    for (const mutation of body?.mutations ?? [])
      if (typeof mutation.id === 'string') sends.set(mutation.id, (sends.get(mutation.id) ?? 0) + 1);
  });
  return sends;
}

test('[SY4][OB10] offline, a reload shows the app and its data; an offline change waits as pending, then applies and reaches another browser live', async ({
  page,
  context,
  browser,
}) => {
  await page.goto('/');
  await waitForServiceWorkerControl(page);
  await waitForUpToDate(page);
  await signInDemo(page);
  await waitForUpToDate(page);

  // Someone else, anonymous, in their own browser: they see public communities as they arrive.
  const elsewhere = await browser.newContext();
  const watcher = await elsewhere.newPage();
  await watcher.goto('/');
  await waitForUpToDate(watcher);

  await context.setOffline(true);
  await page.reload();
  await expect(page.getByRole('link', { name: 'Hearth home' })).toBeVisible();
  await expect(syncStatus(page)).toHaveAttribute('data-state', 'offline');
  await expect(
    page.getByTestId('feed-event').filter({ hasText: 'Story Circle: Letters We Never Sent' }),
  ).toBeVisible({ timeout: 45_000 });

  const community = newCommunity('offline');
  await createCommunity(page, community);
  await expect(syncStatus(page)).toHaveAttribute('data-pending', '1');
  await expect(syncStatus(page)).toHaveText('Offline · 1 pending');
  expect(await replicaCount(page, COMMUNITY_BY_ID, [community.id], 'positive')).toBe(1);

  await context.setOffline(false);
  await expect(syncStatus(page)).toHaveAttribute('data-pending', '0', { timeout: 45_000 });
  await expect(syncStatus(page)).toHaveAttribute('data-rejected', '0');
  await waitForUpToDate(page);
  expect(await replicaCount(watcher, COMMUNITY_BY_ID, [community.id], 'positive')).toBe(1);
  await elsewhere.close();
});

test('[OB6][OB15] a change the server refuses is rolled back and listed with why until dismissed', async ({
  page,
}) => {
  await page.goto('/');
  await waitForUpToDate(page);
  await signInDemo(page);
  await waitForUpToDate(page);

  // The demo data already has this address: the client cannot know, the server refuses it.
  const taken = { ...newCommunity('taken'), slug: 'riverside-storytellers' };
  await createCommunity(page, taken);
  await expect(syncStatus(page)).toHaveAttribute('data-state', 'rejected', { timeout: 45_000 });
  await expect(syncStatus(page)).toHaveAttribute('data-rejected', '1');
  expect(await replicaCount(page, COMMUNITY_BY_ID, [taken.id], 'zero')).toBe(0);

  await syncStatus(page).getByRole('button', { name: '1 rejected' }).click();
  const list = page.getByRole('region', { name: 'Changes the server refused' });
  const change = list.getByTestId('rejected-change');
  await expect(change).toHaveCount(1);
  await expect(change).toHaveAttribute('data-code', 'slug_taken');
  await expect(change).toContainText('Create community');
  await expect(change.getByRole('alert')).toContainText('is taken');
  await expect(change).toContainText('Make the change again with another address.');

  await change.getByRole('button', { name: 'Dismiss: Create community' }).click();
  await expect(list).toBeHidden();
  await expect(syncStatus(page)).toHaveAttribute('data-rejected', '0');
  await waitForUpToDate(page);
});

test('[OB12][PWA1] two tabs share one replica and one outbox: a change in one shows in the other at once, and goes to the server once', async ({
  page,
  context,
}) => {
  const sends = countSends(context);
  await page.goto('/');
  await waitForUpToDate(page);
  await signInDemo(page);
  const other = await context.newPage();
  await other.goto('/');
  await waitForUpToDate(page);
  await waitForUpToDate(other);

  // The server does not get it until both tabs have shown it: what they show is the shared replica.
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  await context.route('**/api/mutations', async (route) => {
    await released;
    await route.continue();
  });
  const first = newCommunity('tab-a');
  const { id: firstCall } = await createCommunity(page, first);
  expect(await replicaCount(other, COMMUNITY_BY_ID, [first.id], 'positive')).toBe(1);
  await expect(syncStatus(other)).toHaveAttribute('data-pending', '1');
  await expect(syncStatus(page)).toHaveAttribute('data-pending', '1');

  const second = newCommunity('tab-b');
  const { id: secondCall } = await createCommunity(other, second);
  expect(await replicaCount(page, COMMUNITY_BY_ID, [second.id], 'positive')).toBe(1);
  await expect(syncStatus(page)).toHaveAttribute('data-pending', '2');

  release();
  for (const tab of [page, other]) {
    await expect(syncStatus(tab)).toHaveAttribute('data-pending', '0', { timeout: 45_000 });
    await expect(syncStatus(tab)).toHaveAttribute('data-rejected', '0');
  }
  expect(sends.get(firstCall)).toBe(1);
  expect(sends.get(secondCall)).toBe(1);
  await context.unroute('**/api/mutations');
});

test('[SY11][AU9] sign-out empties the replica of what the user could see, and the sync goes on for nobody in particular', async ({
  page,
}) => {
  await page.goto('/');
  await waitForUpToDate(page);
  await signInDemo(page);
  expect(await replicaCount(page, 'select 1 from memberships', [], 'positive')).toBeGreaterThan(0);
  await waitForUpToDate(page);

  expect(await page.evaluate(() => window.hearthAuth.getState().status)).toBe('signed-in');
  await page.evaluate(() => window.hearthAuth.requestSignOut());
  await expect(page.getByRole('banner').getByRole('link', { name: 'Sign in' })).toBeVisible({
    timeout: 45_000,
  });

  await waitForUpToDate(page);
  const replica = await page.evaluate(async () => {
    const { db } = await window.hearth.replica;
    const count = async (sql: string) => (await db.query<{ n: number }>(sql)).rows[0]?.n ?? -1;
    return {
      memberships: await count('select count(*)::int as n from memberships'),
      identity: await count('select count(*)::int as n from hearth_local.identity'),
      outbox: await count('select count(*)::int as n from hearth_local.outbox'),
      userProgress: await count(
        "select count(*)::int as n from hearth_sync.subscriptions_metadata where key like 'hearth:user:%'",
      ),
    };
  });
  expect(replica).toEqual({ memberships: 0, identity: 0, outbox: 0, userProgress: 0 });
  await expect(
    page.getByTestId('feed-event').filter({ hasText: 'Story Circle: Letters We Never Sent' }),
  ).toBeVisible();
});

test('[OB11] a page killed while its send is at the server: reopened, the change is sent again and applied once', async ({
  page,
  context,
}) => {
  const sends = countSends(context);
  // The receipt must reach no page through the sync before the change is sent again (it would settle
  // the entry, rightly, without a second send): every shape answer passes through here and waits for
  // `shapesOpen`, which stays shut from the first send until the reopened page has sent again.
  let shapesOpen: Promise<void> = Promise.resolve();
  await context.route('**/api/shapes/**', async (route) => {
    const response = await route.fetch().catch(() => null);
    if (response === null) return route.abort().catch(() => undefined);
    await shapesOpen;
    await route.fulfill({ response }).catch(() => undefined); // the dead page's answers go nowhere
  });
  await page.goto('/');
  await waitForUpToDate(page);
  await signInDemo(page);
  await waitForUpToDate(page);

  // The first send reaches the real server; its answer never reaches the page, which dies meanwhile.
  let applied!: (status: number) => void;
  const atServer = new Promise<number>((resolve) => (applied = resolve));
  let sentAgain!: () => void;
  const resent = new Promise<void>((resolve) => (sentAgain = resolve));
  shapesOpen = resent;
  let firstSend = true;
  await context.route('**/api/mutations', async (route) => {
    if (!firstSend) {
      sentAgain();
      return route.continue();
    }
    firstSend = false;
    const response = await route.fetch();
    applied(response.status()); // and no answer for the page: it is closed before one comes
  });
  const community = newCommunity('killed');
  const { id } = await createCommunity(page, community);
  expect(await atServer).toBe(200);
  await page.close({ runBeforeUnload: false });

  const reopened = await context.newPage();
  await reopened.goto('/');
  // The entry outlived the page (OB16) and its sender sends it again (OB11); then its receipt settles it.
  await resent;
  await expect(syncStatus(reopened)).toHaveAttribute('data-pending', '0', { timeout: 45_000 });
  await expect(syncStatus(reopened)).toHaveAttribute('data-rejected', '0');
  expect(sends.get(id)).toBe(2);
  expect(await replicaCount(reopened, COMMUNITY_BY_ID, [community.id], 'positive')).toBe(1);
  const onServer = await reopened.evaluate(async (slug) => {
    const { db } = await window.hearth.replica;
    const { rows } = await db.query<{ n: number }>(
      'select count(*)::int as n from communities where slug = $1',
      [slug],
    );
    return rows[0]?.n;
  }, community.slug);
  expect(onServer).toBe(1);
  await context.unroute('**/api/mutations');
  await context.unroute('**/api/shapes/**');
});
