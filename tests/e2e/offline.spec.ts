// PWA3 and PWA4: after one visit the app opens with no network, and its replica holds the local schema.
import { PGlite } from '@electric-sql/pglite';
import { localSchemaSql, localSchemaVersion } from '@hearth/schema';
import { expect, test } from '@playwright/test';
import { applyLocalSchema, countReplicaTables } from '../../web/src/db/local-schema';
import { waitForReplicaReady, waitForServiceWorkerControl } from './steps';

test('[PWA3] offline, a reload still renders the app and opens the local replica', async ({
  page,
  context,
}) => {
  await page.goto('/');
  await waitForServiceWorkerControl(page);
  const tablesOnline = await waitForReplicaReady(page);

  await context.setOffline(true);
  await page.reload();

  await expect(page.getByRole('link', { name: 'Hearth home' })).toBeVisible();
  await expect(page.getByRole('status', { name: 'Connection: offline' })).toHaveText('Offline');
  expect(await waitForReplicaReady(page)).toBe(tablesOnline);
  expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
});

test('[PWA4] the local replica holds exactly the tables localSchemaSql() defines', async ({ page }) => {
  const reference = await PGlite.create();
  try {
    await applyLocalSchema(reference, localSchemaSql(), localSchemaVersion());
    const expected = await countReplicaTables(reference);

    await page.goto('/');
    expect(await waitForReplicaReady(page)).toBe(expected);
  } finally {
    await reference.close();
  }
});
