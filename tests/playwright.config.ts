// End-to-end tier (STYLE.md #10): real Chromium against the real sync-server serving the built web/dist.
// Run with `pnpm e2e` (builds first). Chromium comes from apt (/usr/bin/chromium); see SETUP-NOTES.md.
import { defineConfig } from '@playwright/test';

const port = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: 'e2e',
  outputDir: '../test-results',
  workers: 1,
  // One retry on CI only: a real browser on a shared 2-core machine can miss a wait by timing alone.
  // Locally a flake fails at once, to be found and fixed (as [AU7] was: it looked for the old name
  // while the optimistic header already showed the new one). CI reports a retried test as flaky.
  retries: process.env.CI ? 1 : 0,
  fullyParallel: false,
  forbidOnly: true,
  timeout: 60_000,
  expect: { timeout: 20_000 },
  reporter: process.env.CI
    ? [['list']]
    : [['list'], ['html', { open: 'never', outputFolder: '../playwright-report' }]],
  use: {
    baseURL,
    browserName: 'chromium',
    serviceWorkers: 'allow',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: {
    command: 'node --import tsx support/e2e-server.ts',
    url: `${baseURL}/healthz`,
    env: { PORT: String(port), HOST: '127.0.0.1' },
    reuseExistingServer: false,
    timeout: 180_000,
    // The server's JSON request log stays out of the report; its start errors go to stderr.
    stdout: 'ignore',
    stderr: 'pipe',
    // Let the server stop its embedded Postgres and the wrapper remove the temp DATA_DIR.
    gracefulShutdown: { signal: 'SIGTERM', timeout: 15_000 },
  },
});
