// The account screens and sign-out in real Chromium against the real server (web/src/auth/SPEC.md).
// Every wait is for something on the page or on the wire, never for time.
import { expect, test, type Page } from '@playwright/test';
import { waitForReplicaReady } from './steps';

const DEMO = { email: 'demo@hearth.local', password: 'hearth-demo' };
const GENERIC_SIGNIN_ERROR = 'That email and password do not match an account. Check both and try again.';

// The replica is shared with the sync, which may keep it busy (a first sync, a resync after sign-out):
// waits on what the replica does get a longer cap. They still end as soon as the page shows the result.
const REPLICA = { timeout: 45_000 };
test.describe.configure({ timeout: 120_000 });

const header = (page: Page) => page.getByRole('banner');
const pill = (page: Page) => page.getByRole('status', { name: /^Connection:/ });

/** What the page's local replica holds of the outbox and the identity. */
function localState(page: Page) {
  return page.evaluate(async () => {
    const { db } = await window.hearth.replica;
    const outbox = await db.query<{ n: number }>('select count(*)::integer as n from hearth_local.outbox');
    const identity = await db.query('select user_id from hearth_local.identity');
    return { outbox: outbox.rows[0]?.n ?? -1, identity: identity.rows.length };
  });
}

function serverMe(page: Page) {
  return page.evaluate(async () => {
    const response = await fetch('/api/me');
    if (!response.ok) return { status: response.status, displayName: null };
    const body = (await response.json()) as { user: { displayName: string } };
    return { status: response.status, displayName: body.user.displayName };
  });
}

async function signInWithForm(page: Page, login: { email: string; password: string }) {
  await page.goto('/signin');
  await page.getByLabel('Email').fill(login.email);
  await page.getByLabel('Password', { exact: true }).fill(login.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function openAccountMenu(page: Page, name: string) {
  await header(page).getByRole('button', { name }).click();
}

test('[AU3][AU6][AU2][AU9] sign up through the form, stay signed in across a reload, sign out to an empty replica', async ({
  page,
}) => {
  await page.goto('/');
  await waitForReplicaReady(page);
  await header(page).getByRole('link', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/signin$/);
  await page.getByRole('main').getByRole('link', { name: 'Create an account' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Create your account');

  // AU3: the rules are there before typing; the fields say what they are to the browser.
  const rules = page.getByRole('list', { name: 'Password rules' });
  await expect(rules).toContainText('At least 10 characters');
  await expect(rules).toContainText('Not your email address');
  await expect(rules).toContainText('Not a common password');
  await expect(page.getByLabel('Email')).toHaveAttribute('autocomplete', 'email');
  await expect(page.getByLabel('Password', { exact: true })).toHaveAttribute('autocomplete', 'new-password');

  const suffix = Date.now().toString(36);
  const name = `Ana E2E ${suffix}`;
  await page.getByLabel('Your name').fill(name);
  await page.getByLabel('Email').fill(`ana-${suffix}@example.org`);
  await page.getByLabel('Password', { exact: true }).fill('short');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByText(/Use at least 10 characters/)).toBeVisible();
  await expect(page.getByLabel('Password', { exact: true })).toBeFocused();

  await page.getByLabel('Password', { exact: true }).fill('amber river lantern');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(header(page).getByRole('button', { name })).toBeVisible(REPLICA);
  await expect(page).toHaveURL(/\/$/, REPLICA);
  expect(await localState(page)).toEqual({ outbox: 0, identity: 1 });

  await page.reload();
  await waitForReplicaReady(page);
  await expect(header(page).getByRole('button', { name })).toBeVisible(REPLICA);
  expect((await serverMe(page)).displayName).toBe(name);

  await openAccountMenu(page, name);
  await header(page).getByRole('button', { name: 'Sign out' }).click();
  await expect(header(page).getByRole('link', { name: 'Sign in' })).toBeVisible(REPLICA);
  expect(await localState(page)).toEqual({ outbox: 0, identity: 0 });
  expect((await serverMe(page)).status).toBe(401);
});

test('[AU4] a wrong password shows the server’s generic error, and the demo login then signs in', async ({
  page,
}) => {
  await signInWithForm(page, { email: DEMO.email, password: 'not-the-demo-password' });
  await expect(page.getByRole('alert')).toHaveText(new RegExp(`^${GENERIC_SIGNIN_ERROR}`));
  await expect(page.getByRole('alert')).toHaveAttribute('data-code', 'invalid_credentials');
  await expect(header(page).getByRole('link', { name: 'Sign in' })).toBeVisible(REPLICA);

  await page.getByLabel('Password', { exact: true }).fill(DEMO.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page).toHaveURL(/\/$/, REPLICA);
  const { displayName } = await serverMe(page);
  await expect(header(page).getByRole('button', { name: displayName ?? '' })).toBeVisible(REPLICA);
});

test('[AU7] sign-out waits for the sender ("Sending 1 change…") and goes on once the change is in', async ({
  page,
}) => {
  await signInWithForm(page, DEMO);
  // The session cookie may land a moment after the form settles: ask until the server knows us.
  await expect.poll(async () => (await serverMe(page)).status, REPLICA).toBe(200);
  const { displayName } = await serverMe(page);
  const name = displayName ?? '';
  expect(name).not.toBe('');
  await expect(header(page).getByRole('button', { name })).toBeVisible(REPLICA);

  // Hold the one send at the browser's edge until the dialog has been seen; it then goes to the real server.
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/api/mutations', async (route) => {
    await released;
    await route.continue();
  });

  const renamed = `Flushed ${Date.now().toString(36)}`;
  await page.evaluate((value) => window.hearth.mutate('updateProfile', { displayName: value }), renamed);
  await expect(pill(page)).toHaveAttribute('data-pending', '1');
  // The account button shows the old or, once the overlay is read, the new name (either is right here).
  await header(page)
    .getByRole('button', { name: new RegExp(`^(${escapeRegExp(name)}|${escapeRegExp(renamed)})$`) })
    .click();
  await header(page).getByRole('button', { name: 'Sign out' }).click();
  const dialog = page.getByRole('dialog', { name: 'Signing out' });
  await expect(dialog).toContainText('Sending 1 change…');

  release();
  await expect(header(page).getByRole('link', { name: 'Sign in' })).toBeVisible(REPLICA);
  await expect(dialog).toBeHidden(REPLICA);
  expect(await localState(page)).toEqual({ outbox: 0, identity: 0 });

  // The change reached the server before the session ended.
  await page.unroute('**/api/mutations');
  await signInWithForm(page, DEMO);
  await expect(header(page).getByRole('button', { name: renamed })).toBeVisible(REPLICA);
});

test('[AU8][AU11] signing out with a pending offline change warns first, and the server hears of it once online', async ({
  page,
  context,
}) => {
  await signInWithForm(page, DEMO);
  const { displayName } = await serverMe(page);
  const name = displayName ?? '';
  await expect(header(page).getByRole('button', { name })).toBeVisible(REPLICA);

  await context.setOffline(true);
  await expect(pill(page)).toHaveText('Offline');
  await page.evaluate(() => window.hearth.mutate('updateProfile', { displayName: 'Never sent' }));
  await expect(pill(page)).toHaveAttribute('data-pending', '1');

  await openAccountMenu(page, name);
  await header(page).getByRole('button', { name: 'Sign out' }).click();
  const dialog = page.getByRole('dialog', { name: 'Discard unsent changes?' });
  await expect(dialog).toContainText('1 change hasn’t reached the server yet; signing out will discard it.');

  // Cancel keeps everything.
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden(REPLICA);
  await expect(pill(page)).toHaveAttribute('data-pending', '1');
  expect(await localState(page)).toEqual({ outbox: 1, identity: 1 });

  await openAccountMenu(page, name);
  await header(page).getByRole('button', { name: 'Sign out' }).click();
  await dialog.getByRole('button', { name: 'Sign out anyway' }).click();
  await expect(header(page).getByRole('link', { name: 'Sign in' })).toBeVisible(REPLICA);
  expect(await localState(page)).toEqual({ outbox: 0, identity: 0 });

  // AU11: the session cookie could not be ended offline; back online, the app ends it first.
  const signout = page.waitForResponse(
    (response) => response.url().endsWith('/api/auth/signout') && response.request().method() === 'POST',
  );
  await context.setOffline(false);
  expect((await signout).status()).toBe(204);
  expect((await serverMe(page)).status).toBe(401);
  await expect(header(page).getByRole('link', { name: 'Sign in' })).toBeVisible(REPLICA);
});

test('[AU3] offline, the sign-in form says it needs a connection and sends nothing', async ({
  page,
  context,
}) => {
  await page.goto('/signin');
  await expect(page.getByRole('button', { name: 'Sign in', exact: true })).toBeEnabled();
  await context.setOffline(true);
  await expect(page.getByText(/Signing in needs a connection/)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Sign in', exact: true })).toBeDisabled();
  await context.setOffline(false);
  await expect(page.getByRole('button', { name: 'Sign in', exact: true })).toBeEnabled();
});

test('[AU5] an OpenID Connect sign-in that fails comes back with a readable message', async ({ page }) => {
  await page.goto('/api/auth/oidc/no-such-provider');
  await expect(page).toHaveURL(/\/\?auth_error=oidc_unknown_provider$/);
  const notice = page.getByRole('alert').filter({ hasText: 'not set up on this Hearth' });
  await expect(notice).toBeVisible();
  await notice.getByRole('button', { name: 'Dismiss' }).click();
  await expect(notice).toBeHidden();
  await expect(page).toHaveURL(/\/$/, REPLICA);
});

test('[AU2][AU9] other tabs follow: a sign-in shows in the header of both, a sign-out leaves /account in both', async ({
  page,
  context,
}) => {
  const other = await context.newPage();
  await other.goto('/account');
  await expect(other.getByRole('heading', { level: 1 })).toHaveText('You are signed out');

  await signInWithForm(page, DEMO);
  const { displayName } = await serverMe(page);
  const name = displayName ?? '';
  await expect(header(page).getByRole('button', { name })).toBeVisible(REPLICA);
  await expect(header(other).getByRole('button', { name })).toBeVisible(REPLICA);
  await expect(other.getByRole('heading', { level: 1 })).toHaveText('Your account');

  await openAccountMenu(page, name);
  await header(page).getByRole('button', { name: 'Sign out' }).click();
  await expect(header(other).getByRole('link', { name: 'Sign in' })).toBeVisible(REPLICA);
  await expect(other).toHaveURL(/\/$/, REPLICA);
  await other.close();
});
