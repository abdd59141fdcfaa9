// The outbox in real Chromium against the real server (web/src/outbox/SPEC.md): a change made offline
// waits as pending, and going online sends it; the server then has it. Waits for the pill, not for time.
import { expect, test } from '@playwright/test';
import { waitForReplicaReady } from './steps';

const DEMO = { email: 'demo@hearth.local', password: 'hearth-demo' };

test('[OB10] a change made offline shows as pending, and back online the outbox drains to the server', async ({
  page,
  context,
}) => {
  await page.goto('/');
  await waitForReplicaReady(page);

  const signedIn = await page.evaluate(async (login) => {
    const response = await fetch('/api/auth/signin', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(login),
    });
    if (!response.ok) return `sign-in answered ${response.status}: ${await response.text()}`;
    const identity = await window.hearth.refreshIdentity();
    return identity === null ? 'no identity after sign-in' : 'ok';
  }, DEMO);
  expect(signedIn).toBe('ok');

  const pill = page.getByRole('status', { name: /^Connection:/ });
  await expect(pill).toHaveAttribute('data-pending', '0');

  await context.setOffline(true);
  await expect(page.getByRole('status', { name: 'Connection: offline' })).toHaveText('Offline');

  const displayName = `Offline edit ${Date.now().toString(36)}`;
  const id = await page.evaluate(
    async (name) => (await window.hearth.mutate('updateProfile', { displayName: name })).id,
    displayName,
  );
  expect(id).toMatch(/^[0-9a-f-]{36}$/);
  await expect(pill).toHaveAttribute('data-pending', '1');
  await expect(pill).toHaveText('Offline · 1 pending');

  await context.setOffline(false);
  await expect(pill).toHaveAttribute('data-pending', '0');
  await expect(pill).toHaveText('Online');
  await expect(pill).toHaveAttribute('data-rejected', '0');

  const me = await page.evaluate(async () => {
    const response = await fetch('/api/me');
    return (await response.json()) as { user: { displayName: string } };
  });
  expect(me.user.displayName).toBe(displayName);
});
