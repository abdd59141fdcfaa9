// The sync bench's server process: the full Hearth (`startHearth`, embedded Postgres in a temp
// DATA_DIR, port 0, no demo data), alone in its process so its CPU and RSS are its own. It counts the
// live /v1/shape requests in flight from the raw HTTP server, so the bench can wait until its clients
// are held instead of sleeping.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseConfig, REPO_ROOT } from '@hearth/sync-server/config';
import { startHearth, type Hearth } from '@hearth/sync-server/hearth';
import { silentLogger } from '@hearth/sync-server/log';
import { serve } from './ipc';
import { LoadMeter } from './load';

let hearth: Hearth | undefined;
const meter = new LoadMeter();
let live = 0;
let liveWaiters: { atLeast?: number; atMost?: number; resolve: () => void }[] = [];
/** No wait is open-ended: past this it fails, saying how many requests were in flight. */
const WAIT_LIMIT_MS = 120_000;

function settleWaiters(): void {
  liveWaiters = liveWaiters.filter((w) => {
    const met =
      (w.atLeast === undefined || live >= w.atLeast) && (w.atMost === undefined || live <= w.atMost);
    if (met) w.resolve();
    return !met;
  });
}

function countLive(request: IncomingMessage, response: ServerResponse): void {
  const url = request.url ?? '';
  if (!url.startsWith('/v1/shape?') || !/[?&]live=true(&|$)/.test(url)) return;
  live++;
  settleWaiters();
  response.once('close', () => {
    live--;
    settleWaiters();
  });
}

/** Full collections, so RSS and heap reflect what is held, not garbage. */
function collect(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('the bench server must run with --expose-gc');
  gc();
  gc();
}

const handlers = {
  async start(arg: { dataDir: string }) {
    const parsed = parseConfig(
      { DATA_DIR: arg.dataDir, PORT: '0', HOST: '127.0.0.1', SEED_DEMO: 'false', LOG_LEVEL: 'error' },
      { repoRoot: REPO_ROOT, cwd: REPO_ROOT },
    );
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    hearth = await startHearth(parsed.config, { log: silentLogger() });
    hearth.app.server.on('request', countLive);
    return {
      url: hearth.url,
      shapeSecret: hearth.shapeSecret,
      databaseUrl: hearth.databaseUrl,
      longPollMs: parsed.config.shape.longPollMs,
    };
  },
  /** Resolves once at least `atLeast` (or at most `atMost`) live requests are in flight. */
  live(arg: { atLeast?: number; atMost?: number }) {
    return new Promise<number>((resolve, reject) => {
      const waiter = {
        ...arg,
        resolve: () => {
          clearTimeout(timer);
          resolve(live);
        },
      };
      const timer = setTimeout(() => {
        liveWaiters = liveWaiters.filter((w) => w !== waiter);
        reject(
          new Error(
            `${live} live requests in flight after ${WAIT_LIMIT_MS / 1000} s, wanted ${JSON.stringify(arg)}`,
          ),
        );
      }, WAIT_LIMIT_MS);
      liveWaiters.push(waiter);
      settleWaiters();
    });
  },
  mark() {
    meter.mark();
  },
  load() {
    return { ...meter.read(), live };
  },
  memory() {
    collect();
    const usage = process.memoryUsage();
    return { rss: usage.rss, heapUsed: usage.heapUsed, external: usage.external, live };
  },
  async stop() {
    await hearth?.stop();
    hearth = undefined;
  },
};

export type ServerApi = typeof handlers;

serve(handlers, () => hearth?.stop());
