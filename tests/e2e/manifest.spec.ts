// PWA5: the web app manifest is valid (Chromium's own parser) and every icon it names loads as a real PNG.
import { expect, test, type APIRequestContext } from '@playwright/test';
import { waitForServiceWorkerControl } from './steps';

interface ManifestIcon {
  src: string;
  sizes: string;
  type: string;
  purpose?: string;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Fetches a PNG and returns its pixel size from the IHDR chunk. */
async function pngSize(request: APIRequestContext, url: string): Promise<string> {
  const response = await request.get(url);
  expect(response.status(), url).toBe(200);
  expect(response.headers()['content-type'], url).toContain('image/png');
  const bytes = await response.body();
  expect(bytes.subarray(0, 8).equals(PNG_SIGNATURE), `${url} is a PNG`).toBe(true);
  return `${bytes.readUInt32BE(16)}x${bytes.readUInt32BE(20)}`;
}

test('[PWA5] the manifest is valid and installable, and its icons load', async ({ page, request }) => {
  await page.goto('/');
  const manifestHref = await page.locator('link[rel="manifest"]').getAttribute('href');
  expect(manifestHref).toBe('/manifest.webmanifest');

  const cdp = await page.context().newCDPSession(page);
  const parsed = await cdp.send('Page.getAppManifest', {});
  expect(parsed.errors, 'Chromium reports no manifest errors').toEqual([]);
  await waitForServiceWorkerControl(page);
  const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
  // Playwright's contexts are incognito-like; every other installability criterion must hold.
  const blocking = installabilityErrors.filter((error) => error.errorId !== 'in-incognito');
  expect(blocking, 'Chromium finds Hearth installable').toEqual([]);

  const manifest = (await (await request.get('/manifest.webmanifest')).json()) as Record<string, unknown>;
  expect(manifest).toMatchObject({
    name: 'Hearth',
    short_name: 'Hearth',
    start_url: '/',
    display: 'standalone',
  });
  expect(manifest.theme_color).toMatch(/^#[0-9a-f]{6}$/i);
  expect(manifest.background_color).toMatch(/^#[0-9a-f]{6}$/i);
  const themeMeta = page.locator('meta[name="theme-color"][media="(prefers-color-scheme: light)"]');
  await expect(themeMeta).toHaveAttribute('content', String(manifest.theme_color));

  const icons = manifest.icons as ManifestIcon[];
  const declared = icons.map((icon) => `${icon.sizes} ${icon.purpose ?? 'any'}`).sort();
  expect(declared).toEqual(['192x192 any', '512x512 any', '512x512 maskable']);
  for (const icon of icons) {
    expect(icon.type).toBe('image/png');
    expect(await pngSize(request, icon.src), icon.src).toBe(icon.sizes);
  }

  const appleTouchIcon = await page.locator('link[rel="apple-touch-icon"]').getAttribute('href');
  expect(await pngSize(request, appleTouchIcon ?? '(missing)')).toBe('180x180');
});
