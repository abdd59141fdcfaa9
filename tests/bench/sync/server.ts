// The sync bench's server process: the full Hearth (`startHearth`, embedded Postgres in a temp
// DATA_DIR, port 0, no demo data), alone in its process so its CPU and RSS are its own. It counts the
// live /v1/shape requests in flight from the raw HTTP server, so the bench can wait until its clients
// are held instead of sleeping.
import { parseConfig, REPO_ROOT } from '@hearth/sync-server/config';
import { startHearth, type Hearth } from '@hearth/sync-server/hearth';
import { silentLogger } from '@hearth/sync-server/log';
import { serve } from './ipc';
import { LiveRequests, type LiveBounds } from './live-requests';
import { LoadMeter } from './load';

let hearth: Hearth | undefined;
const meter = new LoadMeter();
const live = new LiveRequests();

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
    hearth.app.server.on('request', live.track);
    return {
      url: hearth.url,
      shapeSecret: hearth.shapeSecret,
      databaseUrl: hearth.databaseUrl,
      longPollMs: parsed.config.shape.longPollMs,
    };
  },
  /** Resolves once at least `atLeast` (or at most `atMost`) live requests are in flight. */
  live(arg: LiveBounds) {
    return live.until(arg);
  },
  mark() {
    meter.mark();
  },
  load() {
    return { ...meter.read(), live: live.count };
  },
  memory() {
    collect();
    const usage = process.memoryUsage();
    return { rss: usage.rss, heapUsed: usage.heapUsed, external: usage.external, live: live.count };
  },
  async stop() {
    await hearth?.stop();
    hearth = undefined;
  },
};

export type ServerApi = typeof handlers;

serve(handlers, () => hearth?.stop());
