// Recovery of the shape engine under a running writer (SPEC.md SE30, SE43, SE52; replication RP9,
// RP12): the whole server (`sync-server/src/main.ts`) SIGKILLed mid-stream and started again on its
// DATA_DIR, and Postgres restarted under a running engine. Clients of the official `ShapeStream` —
// one that keeps polling through the outage, one that stops and resumes from its saved handle and
// offset — get every committed transaction exactly once, whole and in order. Both run on a Postgres
// cluster of their own, so restarting it touches no other test file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import getPort from 'get-port';
import pg from 'pg';
import { ShapeStream, type Row, type ShapeStreamOptions } from '@electric-sql/client';
import { startEmbeddedPostgres, type RunningEmbeddedPostgres } from '@hearth/sync-server/db/embedded';
import {
  removeDataDir,
  startTestShapeServer,
  tempDataDir,
  type TestShapeServer,
} from '@hearth/sync-server/electric/engine/testing';
import { DEFAULT_REPLICATION_NAMES } from '@hearth/sync-server/electric/replication/setup';
import { silentLogger } from '@hearth/sync-server/log';
import { HearthProcess } from './hearth-process';
import { ClientErrors, FAST_BACKOFF } from '../support/electric/clients';
import { Collector, LEDGER_DDL, LedgerWriter, expectDelivered } from '../support/electric/ledger';

const SECRET = 'crash-test-secret-0123456789abcdef';
/** Rows the writer may be ahead of the steady client. */
const LEAD = 200;
const clusterDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-crash-pg-'));
let clusterPort: number;
let cluster: RunningEmbeddedPostgres;
const cleanups: (() => Promise<void> | void)[] = [];

async function startCluster(): Promise<RunningEmbeddedPostgres> {
  return startEmbeddedPostgres({
    dataDir: clusterDir,
    port: clusterPort,
    portExplicit: true,
    throwaway: true,
    log: silentLogger(),
  });
}

function databaseUrl(name: string): string {
  const url = new URL(cluster.adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

function pool(url: string): pg.Pool {
  const p = new pg.Pool({ connectionString: url, max: 3 });
  p.on('error', () => undefined); // idle connections cut by a Postgres restart: the pool replaces them
  cleanups.push(() => p.end());
  return p;
}

beforeAll(async () => {
  // Postgres runs as the `postgres` user when we are root: it must be able to enter the folder.
  fs.chmodSync(clusterDir, 0o755);
  clusterPort = await getPort();
  cluster = await startCluster();
}, 120_000);

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await cluster?.stop();
  fs.rmSync(clusterDir, { recursive: true, force: true });
});

/** A client of the official `ShapeStream` and everything it delivers; `stop()` ends its requests. */
function collect(url: string, extra: Partial<ShapeStreamOptions> = {}): Collector {
  const requests = new AbortController();
  const stream = new ShapeStream<Row>({
    url,
    params: { table: 'ledger', secret: SECRET },
    backoffOptions: FAST_BACKOFF,
    signal: requests.signal,
    ...extra,
  });
  return new Collector(stream, requests);
}

/**
 * What one attempt of a test made, undone when the attempt ends (passed, failed or timed out), so a
 * retry starts clean. A timed-out attempt's body may still be running: once the attempt is over it
 * may start nothing new.
 */
/**
 * The writer stops; then both clients hold every committed transaction exactly once, in order, under
 * the handle they started with: the one that polled through (`steady`), and the one that stopped and
 * resumed from its saved handle and offset (`stopping`, then `resumed`).
 */
async function expectConverged(c: {
  writer: LedgerWriter;
  errors: ClientErrors;
  steady: Collector;
  stopping: Collector;
  resumed: Collector;
  handle: string | undefined;
}): Promise<void> {
  await c.writer.stop();
  await c.errors.race(c.steady.seenSeq(c.writer.lastSeq));
  await c.errors.race(c.resumed.seenSeq(c.writer.lastSeq));
  expect(c.steady.stream.shapeHandle).toBe(c.handle);
  expect(c.resumed.stream.shapeHandle).toBe(c.handle);
  expectDelivered(c.steady.messages, c.writer.committed);
  expectDelivered([...c.stopping.messages, ...c.resumed.messages], c.writer.committed);
}

class Attempt {
  private readonly undo: (() => Promise<void> | void)[] = [];
  private over = false;

  /** Runs `step` when the attempt ends, after every step registered later. */
  defer(step: () => Promise<void> | void): void {
    if (this.over) throw new Error('this attempt is over (timed out): it starts nothing new');
    this.undo.push(step);
  }

  async end(): Promise<void> {
    this.over = true;
    for (const step of this.undo.reverse()) await step();
  }

  /** The real server as a child process, SIGKILLed when the attempt ends if it still runs. */
  server(env: Record<string, string>): HearthProcess {
    if (this.over) throw new Error('this attempt is over (timed out): it starts nothing new');
    const server = new HearthProcess(env);
    this.undo.push(async () => void (await server.stop('SIGKILL')));
    return server;
  }
}

let attempts = 0;

/**
 * A database of its own for one attempt; when the attempt ends (its servers are dead by then), the
 * slot the server made in it is dropped — slot names are cluster-wide — and the database with it.
 */
async function attemptDatabase(attempt: Attempt): Promise<string> {
  const name = `crash_attempt_${++attempts}`;
  const admin = new pg.Client({ connectionString: cluster.adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  attempt.defer(async () => {
    const dba = new pg.Client({ connectionString: cluster.adminUrl });
    await dba.connect();
    try {
      await dba.query(`drop database if exists ${name} with (force)`);
    } finally {
      await dba.end();
    }
  });
  attempt.defer(() => dropSlotOnceIdle(databaseUrl(name), DEFAULT_REPLICATION_NAMES.slot));
  return name;
}

/**
 * Drops a logical slot once its walsender is gone: the replication command's WAIT waits for the slot
 * to be released (the killed server's walsender ends when Postgres sees its socket close).
 */
async function dropSlotOnceIdle(url: string, slot: string): Promise<void> {
  const replication = new URL(url);
  replication.searchParams.set('replication', 'database'); // pg reads it; its typings do not list it
  const client = new pg.Client({ connectionString: replication.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query(
      `select 1 from pg_replication_slots where slot_name = ${pg.escapeLiteral(slot)}`,
    );
    if (rowCount === 1) await client.query(`DROP_REPLICATION_SLOT ${pg.escapeIdentifier(slot)} WAIT`);
  } finally {
    await client.end();
  }
}

describe('recovery under a running writer', () => {
  // Retried: on a loaded machine a run can still be slow; each attempt starts on a database, server
  // and data folder of its own and removes them when it ends.
  it(
    '[SE43][SE52] a server SIGKILLed mid-stream and started again: clients get every transaction once, in order',
    { retry: 2 },
    async ({ onTestFinished }) => {
      const attempt = new Attempt();
      onTestFinished(() => attempt.end(), 60_000);
      const name = await attemptDatabase(attempt);
      const url = databaseUrl(name);
      const db = new pg.Pool({ connectionString: url, max: 3 });
      attempt.defer(() => db.end());
      await db.query(LEDGER_DDL);
      const dataDir = tempDataDir();
      attempt.defer(() => removeDataDir(dataDir));
      const port = await getPort();
      const env = {
        DATABASE_URL: url,
        DATA_DIR: dataDir,
        PORT: String(port),
        HOST: '127.0.0.1',
        SHAPE_SECRET: SECRET,
        SHAPE_LONG_POLL_MS: '2000',
        SEED_DEMO: 'false',
      };
      const shapeUrl = `http://127.0.0.1:${port}/v1/shape`;
      let server = attempt.server(env);
      await server.ready();

      // A SIGKILL can cut a response mid-body: the client does not retry that itself (see
      // `isCutResponseBody`), so these clients ask it to; any other error fails the test.
      const errors = new ClientErrors({ retryCutBodies: true });
      const open = (extra: Partial<ShapeStreamOptions> = {}): Collector => {
        const collector = collect(shapeUrl, { onError: errors.onError, ...extra });
        attempt.defer(() => void collector.stop());
        return collector;
      };
      // One client polls through every outage; the other stops and later resumes where it stopped.
      const steady = open();
      // The writer stays at most LEAD rows ahead of the steady client, except while the server is down:
      // then it writes freely, and leaves no waiter behind per transaction.
      let down = false;
      let wentDown = (): void => undefined;
      let goingDown = new Promise<void>((resolve) => (wentDown = resolve));
      const writer: LedgerWriter = new LedgerWriter(db, {
        pace: () =>
          down ? Promise.resolve() : Promise.race([steady.seenSeq(writer.lastSeq - LEAD), goingDown]),
      });
      const serverDown = (value: boolean): void => {
        down = value;
        if (value) wentDown();
        else goingDown = new Promise<void>((resolve) => (wentDown = resolve));
      };
      attempt.defer(async () => {
        serverDown(true);
        await writer.stop().catch(() => undefined);
      });
      writer.start();
      await errors.race(steady.seenSeq(30));
      const stopping = open();
      await errors.race(stopping.seenSeq(60));
      const saved = stopping.stop();

      for (let round = 1; round <= 2; round++) {
        await errors.race(steady.seenSeq(writer.lastSeq - LEAD / 2)); // mid-stream: rows still in flight
        serverDown(true);
        const killed = server.stop('SIGKILL');
        expect((await killed).signal).toBe('SIGKILL');
        await writer.committedAtLeast(writer.committed.length + 50); // written while the server is down
        server = attempt.server(env);
        await server.ready();
        serverDown(false);
      }
      const resumed = open(saved);
      await errors.race(resumed.seenSeq(writer.lastSeq));

      await expectConverged({ writer, errors, steady, stopping, resumed, handle: saved.handle });
      await server.stop();
    },
  );

  it('[SE30][RP12] a Postgres restart under a running engine: it reconnects and clients go on, nothing lost or doubled', async () => {
    const admin = new pg.Client({ connectionString: cluster.adminUrl });
    await admin.connect();
    await admin.query('create database restart_test');
    await admin.end();
    const name = 'restart_test';
    const url = databaseUrl(name);
    const db = pool(url);
    await db.query(LEDGER_DDL);
    let server: TestShapeServer | undefined = await startTestShapeServer({
      db: { name, url, pool: db },
      config: { secret: SECRET, longPollMs: 2000 },
      extra: { engine: { tables: [] } }, // only the ledger: this database has no migrations
    });
    cleanups.push(async () => {
      await server?.stop();
      if (server) removeDataDir(server.dataDir);
    });

    let restarted: Promise<void> = Promise.resolve();
    const errors = new ClientErrors();
    const steady = collect(server.shapeUrl, { onError: errors.onError });
    cleanups.push(() => void steady.stop());
    const writer: LedgerWriter = new LedgerWriter(db, {
      databaseBack: () => restarted,
      pace: () => steady.seenSeq(writer.lastSeq - LEAD),
    });
    writer.start();
    cleanups.push(() => void writer.stop().catch(() => undefined));
    await errors.race(steady.seenSeq(30));
    const stopping = collect(server.shapeUrl, { onError: errors.onError });
    await errors.race(stopping.seenSeq(60));
    const saved = stopping.stop();

    for (let round = 1; round <= 2; round++) {
      await errors.race(steady.seenSeq(writer.lastSeq - LEAD / 2));
      restarted = (async () => {
        await cluster.stop();
        cluster = await startCluster();
      })();
      await restarted;
      const committed = writer.committed.length;
      await writer.committedAtLeast(committed + 50);
      await errors.race(steady.seenSeq(writer.lastSeq));
    }
    const resumed = collect(server.shapeUrl, { onError: errors.onError, ...saved });
    cleanups.push(() => void resumed.stop());
    await expectConverged({ writer, errors, steady, stopping, resumed, handle: saved.handle });
    await server.stop();
    server = undefined;
  });
});
