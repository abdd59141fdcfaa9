// The outbox in real Chromium against the real server (web/src/outbox/SPEC.md): a change made offline
// waits as pending, and going online sends it; the server then has it. Waits for the pill, not for time.
import { expect, test } from '@playwright/test';
import { signInDemo, waitForReplicaReady } from './steps';

test('[OB10] a change made offline shows as pending, and back online the outbox drains to the server', async ({
  page,
  context,
}) => {
  await page.goto('/');
  await waitForReplicaReady(page);

  await signInDemo(page);

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
  await expect(pill).toHaveAttribute('data-state', 'up-to-date', { timeout: 45_000 });
  await expect(pill).toHaveText('Up to date');
  await expect(pill).toHaveAttribute('data-rejected', '0');

  const me = await page.evaluate(async () => {
    const response = await fetch('/api/me');
    return (await response.json()) as { user: { displayName: string } };
  });
  expect(me.user.displayName).toBe(displayName);
});
