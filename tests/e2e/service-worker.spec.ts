// PWA2 and PWA6: the service worker controls the first visit; updates wait for the user's Reload.
import { readFile, writeFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { waitForServiceWorkerControl } from './steps';

const builtServiceWorker = new URL('../../web/dist/sw.js', import.meta.url);

test('[PWA2] the service worker takes control on the first visit', async ({ page, baseURL }) => {
  await page.goto('/');
  expect(await waitForServiceWorkerControl(page)).toBe(`${baseURL}/sw.js`);
  await expect(page.getByText('Ready: Hearth opens without a network')).toBeVisible();
});

test('[PWA2] sw.js and index.html are never answered from the HTTP cache', async ({ request }) => {
  for (const path of ['/sw.js', '/index.html', '/']) {
    const response = await request.get(path);
    expect(response.status(), path).toBe(200);
    expect(response.headers()['cache-control'], path).toMatch(/no-cache|no-store|max-age=0/);
  }
});

test('[PWA6] a new version waits until the user accepts it, then takes over', async ({ page }) => {
  await page.goto('/');
  const firstScript = await waitForServiceWorkerControl(page);

  // The next deploy: the built service worker with different bytes, which the browser treats as new.
  // The server reads web/dist from disk and marks sw.js no-cache, so the update check sees the change.
  const deployed = await readFile(builtServiceWorker, 'utf8');
  try {
    await writeFile(builtServiceWorker, `${deployed}\n// next deploy\n`);
    await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.getRegistration();
      await registration?.update();
    });

    const prompt = page.getByRole('status').filter({ hasText: 'A new version of Hearth is ready.' });
    await expect(prompt).toBeVisible();
    const whileWaiting = await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.getRegistration();
      return {
        waiting: Boolean(registration?.waiting),
        controller: navigator.serviceWorker.controller?.scriptURL,
      };
    });
    expect(whileWaiting, 'the old version stays in control while the new one waits').toEqual({
      waiting: true,
      controller: firstScript,
    });

    await Promise.all([page.waitForEvent('load'), prompt.getByRole('button', { name: 'Reload' }).click()]);
    await expect(page.getByRole('link', { name: 'Hearth home' })).toBeVisible();
    const afterReload = await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.getRegistration();
      return {
        waiting: Boolean(registration?.waiting),
        controlled: navigator.serviceWorker.controller !== null,
      };
    });
    expect(afterReload).toEqual({ waiting: false, controlled: true });
    await expect(prompt).toBeHidden();
  } finally {
    await writeFile(builtServiceWorker, deployed);
  }
});
