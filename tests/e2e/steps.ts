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
