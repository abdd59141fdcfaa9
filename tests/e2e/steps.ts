// Shared steps of the e2e specs: wait for the events the rules are about, never for time.
import { expect, type Page } from '@playwright/test';

/** Resolves with the controlling service worker's script URL once one controls the page. */
export async function waitForServiceWorkerControl(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const container = navigator.serviceWorker;
    if (!container.controller) {
      await new Promise<void>((resolve) =>
        container.addEventListener('controllerchange', () => resolve(), { once: true }),
      );
    }
    const controller = container.controller;
    if (!controller) throw new Error('controllerchange fired but the page has no controller');
    return controller.scriptURL;
  });
}

/** Waits for "Local replica ready (N tables)" and returns N as the page reports it. */
export async function waitForReplicaReady(page: Page): Promise<number> {
  const ready = page.locator('[data-state="ready"][data-tables]');
  await expect(ready).toHaveText(/^Local replica ready \(\d+ tables?\)$/, { timeout: 45_000 });
  return Number(await ready.getAttribute('data-tables'));
}

export const DEMO = { email: 'demo@hearth.local', password: 'hearth-demo' };

/** Signs the demo user in through the API (the forms have their own spec) and adopts the identity. */
export async function signInDemo(page: Page): Promise<void> {
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
}

/** The header's status indicator (web/src/sync/SPEC.md SY4). */
export const syncStatus = (page: Page) => page.getByTestId('sync-status');

/** Waits until the sync says every shape is live. */
export async function waitForUpToDate(page: Page): Promise<void> {
  await expect(syncStatus(page)).toHaveAttribute('data-state', 'up-to-date', { timeout: 45_000 });
}

/**
 * Resolves with `select count(*)` of `sql` in the page's replica once `until` holds for it, following a
 * live query (no polling): the replica changes, the answer comes.
 */
export function replicaCount(
  page: Page,
  sql: string,
  params: readonly unknown[],
  until: 'zero' | 'positive',
): Promise<number> {
  return page.evaluate(
    async ({ sql, params, until }) => {
      const { db } = await window.hearth.replica;
      return new Promise<number>((resolve, reject) => {
        const check = (n: number | undefined) => {
          if (n === undefined) return;
          if (until === 'zero' ? n === 0 : n > 0) resolve(n);
        };
        db.live
          .query<{ n: number }>(`select count(*)::int as n from (${sql}) counted`, [...params], (results) =>
            check(results.rows[0]?.n),
          )
          .then((live) => check(live.initialResults.rows[0]?.n), reject);
      });
    },
    { sql, params, until },
  );
}
