// Stories in real Chromium against the real server (web/src/features/stories/SPEC.md SW*): two authors
// write one draft live with presence, keep writing the same paragraph apart (one offline) and merge,
// publish; a third person finds the story by emotion and by search with no network. Every wait is for
// what a page shows, never for time.
import { expect, test, type Browser, type Page } from '@playwright/test';
import { waitForUpToDate } from './steps';

// Three browsers, sign-ups and resyncs on a shared two-core machine: room for the replica's waits.
test.describe.configure({ timeout: 240_000 });
const SYNC = { timeout: 60_000 };

const run = Date.now().toString(36);

/** A new browser with a new person signed up in it, its replica synced. */
async function personIn(browser: Browser, name: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto('/');
  await waitForUpToDate(page);
  const result = await page.evaluate(
    async (input) => {
      const answer = await window.hearthAuth.signUp(input);
      return answer.ok ? 'ok' : JSON.stringify(answer.failure);
    },
    {
      email: `${name.toLowerCase()}-${run}@example.org`,
      password: 'amber river lantern',
      displayName: `${name} ${run}`,
    },
  );
  expect(result).toBe('ok');
  await expect(page.getByRole('banner').getByRole('button', { name: `${name} ${run}` })).toBeVisible(SYNC);
  await waitForUpToDate(page);
  return { context, page, name: `${name} ${run}` };
}

const editorText = (page: Page) => page.getByTestId('draft-text');

/**
 * The document's text as the editor shows it, without the other people's carets: their name labels are
 * widgets inside the text's DOM (SW10), so two browsers holding the same document differ in those only.
 */
const documentText = (page: Page) =>
  editorText(page).evaluate((element) => {
    const copy = element.cloneNode(true) as HTMLElement;
    for (const caret of copy.querySelectorAll('.collab-caret')) caret.remove();
    return copy.textContent;
  });
const collabState = (page: Page) => page.getByTestId('collab-state');

/** Types at the end of the draft's last paragraph. */
async function typeAtEnd(page: Page, text: string) {
  await editorText(page).click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type(text);
}

test('[SW6][SW8][SW9][SW10][SW11][SW12][SW2][SW3] two authors co-edit live and apart, publish, and a reader finds the story offline', async ({
  browser,
}) => {
  // Ben first: Ana's replica, filled at her sign-up, then holds him to invite.
  const ben = await personIn(browser, 'Ben');
  const ana = await personIn(browser, 'Ana');

  // SW6: Ana starts a draft; its id is made on her device and the editor opens.
  await ana.page.goto('/drafts');
  await ana.page.getByRole('button', { name: 'New draft' }).click();
  await expect(ana.page).toHaveURL(/\/drafts\/[0-9a-f-]{36}$/);
  const draftPath = new URL(ana.page.url()).pathname;
  await expect(collabState(ana.page)).toHaveAttribute('data-state', 'live', SYNC);

  // SW8: she invites Ben, found by name in her replica.
  await ana.page.getByLabel('Invite a co-author').fill(ben.name);
  await ana.page.getByRole('button', { name: `Invite ${ben.name}` }).click();
  await expect(ana.page.getByTestId('author')).toHaveCount(2);

  // The draft reaches Ben's replica through the sync; he opens it from his drafts.
  await ben.page.goto('/drafts');
  await ben.page.getByTestId('draft-item').getByRole('link').click({ timeout: SYNC.timeout });
  await expect(ben.page).toHaveURL(new RegExp(`${draftPath}$`));
  await expect(collabState(ben.page)).toHaveAttribute('data-state', 'live', SYNC);

  // SW10: each sees both people present.
  for (const [self, other] of [
    [ana, ben],
    [ben, ana],
  ] as const) {
    await expect(self.page.getByTestId('present-person')).toHaveCount(2);
    await expect(self.page.getByTestId('present-person').filter({ hasText: other.name })).toBeVisible();
    await expect(self.page.locator('[data-testid="present-person"][data-self="true"]')).toContainText(
      self.name,
    );
  }

  // SW9: live, both ways.
  await typeAtEnd(ana.page, 'Lanterns by the river.');
  await expect(editorText(ben.page)).toContainText('Lanterns by the river.');
  await typeAtEnd(ben.page, ' The water remembers.');
  await expect(editorText(ana.page)).toContainText('Lanterns by the river. The water remembers.');

  // SW9: Ben goes offline; both write in the same paragraph; back online, both texts are in both.
  await ben.context.setOffline(true);
  await expect(collabState(ben.page)).toHaveAttribute('data-state', 'offline');
  await typeAtEnd(ana.page, ' Ana wrote this while apart.');
  await typeAtEnd(ben.page, ' Ben wrote this offline.');
  await expect(editorText(ana.page)).not.toContainText('Ben wrote this offline.');
  await ben.context.setOffline(false);
  await expect(collabState(ben.page)).toHaveAttribute('data-state', 'live', SYNC);
  for (const { page } of [ana, ben]) {
    await expect(editorText(page)).toContainText('Ana wrote this while apart.');
    await expect(editorText(page)).toContainText('Ben wrote this offline.');
  }
  // One merged document: the same text in both, whichever order the CRDT gave the two insertions.
  const merged = await documentText(ana.page);
  await expect.poll(() => documentText(ben.page)).toBe(merged);

  // SW7: details: a title and an emotion, saved through the outbox.
  await ana.page.getByLabel('Title').fill(`Lanterns ${run}`);
  await ana.page.getByRole('checkbox', { name: 'Hope' }).check();
  await ana.page.getByRole('button', { name: 'Save details' }).click();
  await expect(ana.page.getByRole('heading', { level: 1 })).toHaveText(`Lanterns ${run}`);

  // SW12: publish; the story arrives through the sync.
  await ana.page.getByRole('button', { name: 'Publish', exact: true }).click();
  await expect(ana.page.getByTestId('published')).toBeVisible(SYNC);
  await expect(ana.page.getByTestId('version')).toHaveCount(1, SYNC);

  // SW12: text added after publishing is replaced by restoring version 1, for both authors.
  await typeAtEnd(ana.page, ' A line after publishing.');
  await expect(editorText(ben.page)).toContainText('A line after publishing.');
  await ana.page.getByRole('button', { name: 'Restore version 1' }).click();
  await ana.page.getByRole('button', { name: 'Replace the text' }).click();
  await expect(editorText(ben.page)).not.toContainText('A line after publishing.');
  await expect(editorText(ben.page)).toContainText('Ben wrote this offline.');

  // SW2: a third person finds it by its emotion…
  const cy = await personIn(browser, 'Cy');
  await cy.page.goto('/stories?emotion=hope');
  const card = cy.page.getByTestId('story-card').filter({ hasText: `Lanterns ${run}` });
  await expect(card).toBeVisible(SYNC);
  await expect(cy.page.getByLabel('Emotion', { exact: true })).toHaveValue('hope');

  // SW3: …and by searching its text with no network at all.
  await cy.page.goto('/stories');
  await expect(cy.page.getByTestId('story-card').first()).toBeVisible();
  await cy.context.setOffline(true);
  // Words of the text and of this run's title: a retry on the same server finds only this run's story.
  await cy.page.getByLabel('Search stories').fill(`remembers lanterns ${run}`);
  await expect(cy.page.getByTestId('story-card')).toHaveCount(1);
  await expect(card).toBeVisible();
  await cy.page.getByLabel('Search stories').fill(`"wrote this offline" -nothing${run}`);
  await expect(card).toBeVisible();
  await card.getByRole('link').click();
  await expect(cy.page.getByTestId('story-body')).toContainText('Ana wrote this while apart.');
  await expect(cy.page.getByTestId('story-body')).not.toContainText('A line after publishing.');

  for (const person of [ana, ben, cy]) await person.context.close();
});
