// `pnpm bench boot`: how long Hearth takes to be ready — a first start (initdb, migrations, demo seed)
// and a restart on the same data — and what /healthz costs once it runs.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseConfig, REPO_ROOT, type Config } from '@hearth/sync-server/config';
import { startHearth } from '@hearth/sync-server/hearth';
import { silentLogger } from '@hearth/sync-server/log';
import { formatMs, median, percentile, printRow } from './stats';

const RUNS = 3;
const HEALTH_REQUESTS = 200;

function configFor(dataDir: string): Config {
  const parsed = parseConfig(
    { DATA_DIR: dataDir, PORT: '0', EMBEDDED_PG_PORT: undefined },
    {
      repoRoot: REPO_ROOT,
      cwd: REPO_ROOT,
    },
  );
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  return parsed.config;
}

async function timedStart(config: Config) {
  const started = performance.now();
  const hearth = await startHearth(config, { log: silentLogger() });
  return { hearth, ms: performance.now() - started };
}

export async function run(): Promise<void> {
  const firstStarts: number[] = [];
  const restarts: number[] = [];
  const health: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'hearth-bench-boot-'));
    // Embedded Postgres runs as the `postgres` user when we are root: it must reach the folder.
    chmodSync(dataDir, 0o755);
    try {
      const config = configFor(dataDir);
      const first = await timedStart(config);
      firstStarts.push(first.ms);
      await first.hearth.stop();
      const again = await timedStart(config);
      restarts.push(again.ms);
      if (i === 0) {
        for (let r = 0; r < HEALTH_REQUESTS; r++) {
          const t = performance.now();
          const response = await fetch(`${again.hearth.url}/healthz`);
          await response.arrayBuffer();
          health.push(performance.now() - t);
        }
      }
      await again.hearth.stop();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  console.log(`boot (${RUNS} runs each, embedded Postgres)`);
  printRow('first start to ready (initdb, migrate, seed) median', formatMs(median(firstStarts)));
  printRow('restart on the same data to ready, median', formatMs(median(restarts)));
  printRow(
    `GET /healthz p50 / p99 (${HEALTH_REQUESTS} sequential)`,
    `${formatMs(median(health))} / ${formatMs(percentile(health, 99))}`,
  );
}
