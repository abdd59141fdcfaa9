// The pieces the client benches share: the real sync-server (demo data, fresh DATA_DIR) serving a built
// web app, and headless Chromium from apt as the e2e tier launches it (tests/playwright.config.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from '@playwright/test';

const wrapper = fileURLToPath(new URL('../support/e2e-server.ts', import.meta.url));

export interface RunningServer {
  readonly baseURL: string;
  readonly stop: () => Promise<void>;
}

/**
 * Starts the server on `port` with the web app of `webDist`, resolved once /healthz answers. Its embedded
 * Postgres gets a port of its own (`port` + 20000), so benches never race other servers for the default.
 */
export async function startServer(port: number, webDist: string): Promise<RunningServer> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', wrapper], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      WEB_DIST: webDist,
      EMBEDDED_PG_PORT: process.env.EMBEDDED_PG_PORT ?? String(port + 20000),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const baseURL = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`the sync-server exited (${child.exitCode}) before it was healthy`);
    try {
      if ((await fetch(`${baseURL}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the sync-server on :${port} was not healthy within 180 s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    baseURL,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
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
  });
}
