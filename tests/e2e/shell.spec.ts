// PWA1: the real server serves the app shell, at `/` and at deep links (SPA fallback).
import { expect, test } from '@playwright/test';
import { waitForReplicaReady } from './steps';

test('[PWA1] the app loads from the real server and shows the shell', async ({ page }) => {
  const response = await page.goto('/');
  expect(response?.status()).toBe(200);

  await expect(page.getByRole('link', { name: 'Hearth home' })).toBeVisible();
  await expect(page.getByRole('status', { name: /^Connection: online/ })).toHaveText(
    /^(Syncing…|Up to date)$/,
  );
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your community, kept close.');
  await expect(page.getByRole('heading', { name: 'This device', exact: true })).toBeVisible();
  expect(await waitForReplicaReady(page)).toBeGreaterThan(0);
});

test('[PWA1] a deep link is answered with the shell', async ({ page }) => {
  const response = await page.goto('/communities/some-community/events');
  expect(response?.status()).toBe(200);
  await expect(page.getByRole('link', { name: 'Hearth home' })).toBeVisible();
});
