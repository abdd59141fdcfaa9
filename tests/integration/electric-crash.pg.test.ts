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

function stream(url: string, extra: Partial<ShapeStreamOptions> = {}): ShapeStream<Row> {
  return new ShapeStream<Row>({
    url,
    params: { table: 'ledger', secret: SECRET },
    backoffOptions: FAST_BACKOFF,
    ...extra,
  });
}

describe('recovery under a running writer', () => {
  // Retried: on a loaded machine the official client sometimes surfaces the killed connection as
  // "FetchError: terminated" instead of retrying it (seen once in ~10 full runs); noted in issue 7.
  it(
    '[SE43][SE52] a server SIGKILLed mid-stream and started again: clients get every transaction once, in order',
    { retry: 2 },
    async () => {
      const db = pool(cluster.url);
      await db.query(LEDGER_DDL);
      const dataDir = tempDataDir();
      cleanups.push(() => removeDataDir(dataDir));
      const port = await getPort();
      const env = {
        DATABASE_URL: cluster.url,
        DATA_DIR: dataDir,
        PORT: String(port),
        HOST: '127.0.0.1',
        SHAPE_SECRET: SECRET,
        SHAPE_LONG_POLL_MS: '2000',
        SEED_DEMO: 'false',
      };
      const shapeUrl = `http://127.0.0.1:${port}/v1/shape`;
      let server = new HearthProcess(env);
      cleanups.push(async () => void (await server.stop('SIGKILL')));
      await server.ready();

      const errors = new ClientErrors();
      // One client polls through every outage; the other stops and later resumes where it stopped.
      const steady = new Collector(stream(shapeUrl, { onError: errors.onError }));
      cleanups.push(() => void steady.stop());
      // The writer stays at most LEAD rows ahead of the steady client, except while the server is down.
      let endPacing = (): void => undefined;
      let outage = new Promise<void>((resolve) => (endPacing = resolve));
      const writer: LedgerWriter = new LedgerWriter(db, {
        pace: () => Promise.race([steady.seenSeq(writer.lastSeq - LEAD), outage]),
      });
      writer.start();
      cleanups.push(() => void writer.stop().catch(() => undefined));
      await errors.race(steady.seenSeq(30));
      const stopping = new Collector(stream(shapeUrl, { onError: errors.onError }));
      await errors.race(stopping.seenSeq(60));
      const saved = stopping.stop();

      for (let round = 1; round <= 2; round++) {
        await errors.race(steady.seenSeq(writer.lastSeq - LEAD / 2)); // mid-stream: rows still in flight
        endPacing();
        const killed = server.stop('SIGKILL');
        expect((await killed).signal).toBe('SIGKILL');
        await writer.committedAtLeast(writer.committed.length + 50); // written while the server is down
        server = new HearthProcess(env);
        await server.ready();
        outage = new Promise<void>((resolve) => (endPacing = resolve));
      }
      const resumed = new Collector(stream(shapeUrl, { onError: errors.onError, ...saved }));
      cleanups.push(() => void resumed.stop());
      await errors.race(resumed.seenSeq(writer.lastSeq));

      await writer.stop();
      await errors.race(steady.seenSeq(writer.lastSeq));
      await errors.race(resumed.seenSeq(writer.lastSeq));
      expect(steady.stream.shapeHandle).toBe(saved.handle);
      expect(resumed.stream.shapeHandle).toBe(saved.handle);
      expectDelivered(steady.messages, writer.committed);
      expectDelivered([...stopping.messages, ...resumed.messages], writer.committed);
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
    const steady = new Collector(stream(server.shapeUrl, { onError: errors.onError }));
    cleanups.push(() => void steady.stop());
    const writer: LedgerWriter = new LedgerWriter(db, {
      databaseBack: () => restarted,
      pace: () => steady.seenSeq(writer.lastSeq - LEAD),
    });
    writer.start();
    cleanups.push(() => void writer.stop().catch(() => undefined));
    await errors.race(steady.seenSeq(30));
    const stopping = new Collector(stream(server.shapeUrl, { onError: errors.onError }));
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
    const resumed = new Collector(stream(server.shapeUrl, { onError: errors.onError, ...saved }));
    cleanups.push(() => void resumed.stop());
    await writer.stop();
    await errors.race(steady.seenSeq(writer.lastSeq));
    await errors.race(resumed.seenSeq(writer.lastSeq));
    expect(steady.stream.shapeHandle).toBe(saved.handle);
    expect(resumed.stream.shapeHandle).toBe(saved.handle);
    expectDelivered(steady.messages, writer.committed);
    expectDelivered([...stopping.messages, ...resumed.messages], writer.committed);
    await server.stop();
    server = undefined;
  });
});
