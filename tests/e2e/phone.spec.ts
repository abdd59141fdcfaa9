// The shell as a phone user finds it (web/src/app/SPEC.md SH1-SH3), the conversation's focus and
// reactions (web/src/features/conversation/SPEC.md CV6, CV7), the auth status's "not known yet" phase
// (web/src/auth/SPEC.md AU14) and whole flushes (web/src/db/SPEC.md RB5), in real Chromium against the
// real server. Every wait is for what the page shows or the replica holds, never for time.
import { expect, test, type Page } from '@playwright/test';
import { IDENTITY_TABLE } from '../../web/src/db/local-schema';
import { replicaCount, signInDemo, waitForReplicaReady, waitForUpToDate } from './steps';

const PHONE = { width: 360, height: 740 };

/** The screens the header and the home screen link to, and the shell's own. */
const TOP_LEVEL = ['/', '/stories', '/events', '/communities', '/drafts', '/signin', '/signup', '/account'];

/** Uncaught errors of a page, from its first script on (SH3). */
function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) =>
    errors.push(`${page.url()}: ${error.name}: ${error.message}\n${error.stack ?? '(no stack)'}`),
  );
  return errors;
}

/** The screen is on show: its heading, and the header's account slot past its "not known yet" phase. */
async function screenShown(page: Page): Promise<void> {
  await expect(page.getByRole('heading', { level: 1 }).first()).toBeVisible();
  await expect(page.getByRole('banner').locator('.account-toggle, a[href="/signin"]').first()).toBeVisible();
}

async function horizontalOverflow(page: Page): Promise<{ scrollWidth: number; innerWidth: number }> {
  return page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
}

async function expectNoSidewaysScroll(page: Page, path: string): Promise<void> {
  const { scrollWidth, innerWidth } = await horizontalOverflow(page);
  expect(scrollWidth, `${path} is ${scrollWidth}px wide on a ${innerWidth}px screen`).toBeLessThanOrEqual(
    innerWidth,
  );
}

/** Opens every top-level screen in turn; none may scroll sideways. */
async function walkTopLevel(page: Page, who: string): Promise<void> {
  for (const path of TOP_LEVEL) {
    await page.goto(path);
    await screenShown(page);
    await expectNoSidewaysScroll(page, `${path} (${who})`);
  }
}

/** The id of an event the replica holds that has comments (the demo seed has one). */
async function eventWithComments(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const { db } = await window.hearth.replica;
    const sql = `select e.id::text as id from events e
                  where exists (select 1 from comments c where c.event_id = e.id and c.kind = 'comment')
                  order by e.starts_at limit 1`;
    return new Promise<string>((resolve, reject) => {
      const found = (rows: { id: string }[]) => {
        const id = rows[0]?.id;
        if (id !== undefined) resolve(id);
      };
      db.live
        .query<{ id: string }>(sql, [], (results) => found(results.rows))
        .then((live) => found(live.initialResults.rows), reject);
    });
  });
}

test('[SH1][SH3] every top-level screen fits a 360 px phone, signed out and signed in, and no page load raises an error', async ({
  browser,
}) => {
  const context = await browser.newContext({ viewport: PHONE });
  const page = await context.newPage();
  const errors = collectPageErrors(page);
  await page.goto('/');
  await waitForReplicaReady(page);
  await waitForUpToDate(page);

  await walkTopLevel(page, 'signed out');

  await signInDemo(page);
  await waitForUpToDate(page);
  await walkTopLevel(page, 'signed in');

  // The sections have a row of their own: the links sit apart, inside the screen.
  const stories = await page
    .getByRole('navigation', { name: 'Sections' })
    .getByRole('link', { name: 'Stories' })
    .boundingBox();
  const gatherings = await page
    .getByRole('navigation', { name: 'Sections' })
    .getByRole('link', { name: 'Gatherings' })
    .boundingBox();
  expect(stories).not.toBeNull();
  expect(gatherings).not.toBeNull();
  if (stories && gatherings) {
    expect(stories.x + stories.width).toBeLessThan(gatherings.x);
    expect(gatherings.x + gatherings.width).toBeLessThanOrEqual(PHONE.width);
  }

  // A host's event page: the hidden tier's share link is one long word.
  const eventId = await eventWithComments(page);
  await page.goto(`/events/${eventId}`);
  await expect(page.getByTestId('conversation')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Hosting' })).toBeVisible();
  await expectNoSidewaysScroll(page, `/events/${eventId} (host)`);

  expect(errors).toEqual([]);
  await context.close();
});

test('[SH2] the header marks the section being shown', async ({ page }) => {
  const sections = page.getByRole('navigation', { name: 'Sections' });
  await page.goto('/events');
  await expect(sections.getByRole('link', { name: 'Gatherings' })).toHaveAttribute('aria-current', 'page');
  await expect(sections.getByRole('link', { name: 'Stories' })).not.toHaveAttribute('aria-current');
  await sections.getByRole('link', { name: 'Stories' }).click();
  await expect(sections.getByRole('link', { name: 'Stories' })).toHaveAttribute('aria-current', 'page');
  await expect(sections.getByRole('link', { name: 'Gatherings' })).not.toHaveAttribute('aria-current');
  await page.goto('/account');
  await expect(sections.locator('[aria-current]')).toHaveCount(0);
});

/** Records whether the drafts screen's sign-in prompt was ever in the page, from before the app runs. */
async function watchForSignInPrompt(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { sawSignInPrompt: boolean };
    w.sawSignInPrompt = false;
    const check = () => {
      if (document.body?.textContent?.includes('to write stories')) w.sawSignInPrompt = true;
    };
    new MutationObserver(check).observe(document, { childList: true, subtree: true, characterData: true });
  });
}

const sawSignInPrompt = (page: Page) =>
  page.evaluate(() => (window as unknown as { sawSignInPrompt: boolean }).sawSignInPrompt);

test('[AU14] reloading /drafts right after signing in never shows the sign-in prompt, even before the replica knows', async ({
  browser,
}) => {
  // Signed out, the prompt does show: the watch sees it.
  const control = await browser.newContext({ viewport: PHONE });
  const signedOut = await control.newPage();
  await watchForSignInPrompt(signedOut);
  await signedOut.goto('/drafts');
  await expect(signedOut.getByText('to write stories')).toBeVisible({ timeout: 45_000 });
  expect(await sawSignInPrompt(signedOut)).toBe(true);
  await control.close();

  const context = await browser.newContext({ viewport: PHONE });
  const page = await context.newPage();
  await watchForSignInPrompt(page);
  await page.goto('/');
  await waitForReplicaReady(page);

  // Signed in through the API and adopted, then a reload at once.
  await signInDemo(page);
  await page.goto('/drafts');
  await expect(page.getByRole('button', { name: 'New draft' })).toBeVisible({ timeout: 45_000 });
  expect(await sawSignInPrompt(page)).toBe(false);

  // The server knows the session but this device's replica does not (an OpenID return, a reload
  // before the replica stored the sign-in): the page waits for /api/me instead of saying "signed out".
  await page.evaluate(async (identity) => {
    const replica = await window.hearth.replica;
    await replica.db.exec(`delete from ${identity}`);
    await replica.flush();
  }, IDENTITY_TABLE);
  await page.goto('/drafts');
  await expect(page.getByRole('button', { name: 'New draft' })).toBeVisible({ timeout: 45_000 });
  expect(await sawSignInPrompt(page)).toBe(false);
  await context.close();
});

test('[CV6][CV7] Reply focuses its box and Escape gives the focus back; reactions show counts and one React picker', async ({
  browser,
}) => {
  const context = await browser.newContext({ viewport: PHONE });
  const page = await context.newPage();
  await page.goto('/');
  await waitForReplicaReady(page);
  await signInDemo(page);
  // The sign-in re-subscribes (SY8): its refetch re-mounts the comments (and their open boxes). Wait
  // until it has landed (the member rows are here) and the sync is live again; a reload then resumes.
  await replicaCount(page, 'select 1 from memberships', [], 'positive');
  await waitForUpToDate(page);
  const eventId = await eventWithComments(page);
  await page.goto(`/events/${eventId}`);
  await waitForUpToDate(page);
  const conversation = page.getByTestId('conversation');
  await expect(conversation.getByTestId('comment').first()).toBeVisible();

  // CV6: Reply -> the box has the focus; Escape closes it, the focus goes back, the text is kept.
  const reply = conversation.getByTestId('comment').first().getByRole('button', { name: 'Reply' }).first();
  await reply.click();
  const box = conversation.getByLabel(/^Reply to /);
  await expect(box).toBeFocused();
  await page.keyboard.type('Half a thought');
  await page.keyboard.press('Escape');
  await expect(box).toHaveCount(0);
  await expect(reply).toBeFocused();
  await expect(reply).toHaveAttribute('aria-expanded', 'false');
  await page.keyboard.press('Enter');
  await expect(box).toBeFocused();
  await expect(box).toHaveValue('Half a thought');
  await conversation.getByRole('button', { name: 'Cancel', exact: true }).click();
  await expect(reply).toBeFocused();

  // CV7: only chosen reactions show; "React" opens the picker of all of them, by keyboard too.
  const reactions = conversation.getByTestId('reactions');
  const toggle = reactions.getByTestId('react-toggle');
  const picker = reactions.getByTestId('reaction-picker');
  const shown = reactions.locator(':scope > button.reaction:not(.reaction-add)');
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await expect(picker).toBeHidden();
  const options = await picker.locator('button').count();
  expect(options).toBeGreaterThan(10);
  expect(await shown.count()).toBeLessThan(options);
  for (const count of await shown.all())
    expect(Number(await count.getAttribute('data-count'))).toBeGreaterThan(0);

  await toggle.focus();
  await page.keyboard.press('Enter');
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  await expect(picker).toBeVisible();
  // The focus is in the picker (on my reaction if I have one); arrows move it along.
  await expect(picker.locator('button:focus')).toHaveCount(1);
  const at = await picker
    .locator('button')
    .evaluateAll((buttons) => buttons.findIndex((button) => button === document.activeElement));
  await page.keyboard.press('ArrowRight');
  await expect(picker.locator('button').nth((at + 1) % options)).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(picker).toBeHidden();
  await expect(toggle).toBeFocused();

  // Choosing one in the picker closes it, gives the focus back, and shows it pressed with its count.
  await toggle.click();
  const choice = picker.locator('button[aria-pressed="false"]').first();
  const key = await choice.getAttribute('data-key');
  await choice.click();
  await expect(picker).toBeHidden();
  await expect(toggle).toBeFocused();
  const mine = reactions.locator(`:scope > button.reaction[data-key="${key}"]`);
  await expect(mine).toHaveAttribute('aria-pressed', 'true');
  await expect(mine).not.toHaveAttribute('data-count', '0');
  await expectNoSidewaysScroll(page, `/events/${eventId} (reacted)`);
  await context.close();
});

test('[RB5] explicit flushes stay whole while statements keep rewriting the data directory', async ({
  page,
}) => {
  await page.goto('/');
  await waitForReplicaReady(page);
  const failures = await page.evaluate(async () => {
    const replica = await window.hearth.replica;
    const { db } = replica;
    await db.exec('create table if not exists rb5_churn (id serial primary key, body text)');
    const failed: string[] = [];
    let writing = true;
    const flushing = (async () => {
      while (writing) await replica.flush().catch((error: unknown) => failed.push(String(error)));
    })();
    // New files, removed files and recycled WAL segments while the flushes walk the directory.
    for (let round = 0; round < 8; round++) {
      for (let batch = 0; batch < 50; batch++)
        await db.query(
          `insert into rb5_churn (body) select repeat(md5(random()::text), 300) from generate_series(1, 20)`,
        );
      await db.query('delete from rb5_churn');
      await db.query('vacuum full rb5_churn');
      await db.query('checkpoint');
    }
    writing = false;
    await flushing;
    await db.exec('drop table rb5_churn');
    return failed;
  });
  expect(failures).toEqual([]);
});
