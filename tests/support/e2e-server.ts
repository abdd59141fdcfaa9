// Starts the real sync-server for the e2e suite on a fresh, throwaway DATA_DIR (what
// `pnpm --filter @hearth/sync-server start` runs: tsx src/main.ts in sync-server/), and removes the
// directory once the server has stopped.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const serverDir = fileURLToPath(new URL('../../sync-server/', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'hearth-e2e-'));
// mkdtemp makes it 0700; as root the embedded Postgres runs as the `postgres` user and must reach it.
chmodSync(dataDir, 0o755);

// Its own process group: Playwright stops the webServer by signalling our group, and the server must
// get exactly one SIGTERM (a second one means "exit now, skip the clean Postgres stop").
// A 32 MiB young generation, as `pnpm start` sets: live fan-out allocates fast (shorter scavenges).
const server = spawn(process.execPath, ['--max-semi-space-size=32', '--import', 'tsx', 'src/main.ts'], {
  cwd: serverDir,
  detached: true,
  stdio: 'inherit',
  env: {
    ...process.env,
    PORT: process.env.PORT ?? '3100',
    HOST: process.env.HOST ?? '127.0.0.1',
    DATA_DIR: dataDir,
  },
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => server.kill(signal));
}

server.on('exit', (code, signal) => {
  rmSync(dataDir, { recursive: true, force: true, maxRetries: 5 });
  process.exit(code ?? (signal === null ? 0 : 1));
});
