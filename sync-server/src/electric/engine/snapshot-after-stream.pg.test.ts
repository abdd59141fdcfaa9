// SPEC.md SE61 (issue 7): Postgres streams a commit once its WAL is flushed, before the committing
// backend leaves the running set, so a snapshot taken right then shows it running. A shape created in
// that gap must still hold the transaction. The gap is held open for as long as the test likes by a
// synchronous-replication wait (a standby that never connects), on a Postgres of this file's own:
// every other commit there is `synchronous_commit = local`; the held one asks for `on`, and
// `pg_cancel_backend` ends its wait (the commit then becomes visible).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import getPort from 'get-port';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startEmbeddedPostgres, type RunningEmbeddedPostgres } from '../../db/embedded';
import { silentLogger } from '../../log';
import type { LogOffset } from '../offset';
import { dropTestSlot, removeDataDir, startTestShapeServer, type TestShapeServer } from './testing';

const PG_NAME = 'hearth';
let folder: string;
let postgres: RunningEmbeddedPostgres | undefined;
let pool: pg.Pool;
let server: TestShapeServer;
/** Resolved by the engine's log line of a snapshot waiting for running-but-committed transactions. */
const snapshotWaits: (() => void)[] = [];

async function startPostgres(): Promise<RunningEmbeddedPostgres> {
  return startEmbeddedPostgres({
    dataDir: folder,
    port: await getPort(),
    portExplicit: true,
    throwaway: true,
    log: silentLogger(),
  });
}

beforeAll(async () => {
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-syncrep-'));
  fs.chmodSync(folder, 0o755); // Postgres runs as `postgres` when we are root
  const first = await startPostgres();
  const admin = new pg.Client({ connectionString: first.url });
  await admin.connect();
  await admin.query(`alter system set synchronous_standby_names = 'hearth_absent_standby'`);
  await admin.query(`alter system set synchronous_commit = 'local'`);
  await admin.end();
  await first.stop();
  // Restarted, so every process (the checkpointer too) has the settings before the first commit.
  postgres = await startPostgres();
  pool = new pg.Pool({ connectionString: postgres.url, max: 4 });
  // pool.end() resolves once its clients are told to end, not once their sockets close, so the
  // Postgres stopped right after it may still cut one (FATAL 57P01): that is the end we asked for.
  pool.on('error', () => undefined);
  await pool.query(`
    create table things (id int primary key, label text);
    create table bins (id int primary key, v text);
    insert into things values (1, 'a');
    insert into bins values (1, 'a'), (2, 'b');
  `);
  const log = pino(
    { level: 'debug' },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n')) {
          if (line.includes('snapshot waits for committed transactions'))
            for (const w of snapshotWaits.splice(0)) w();
        }
        done();
      },
    }),
  );
  server = await startTestShapeServer({
    db: { name: PG_NAME, url: postgres.url, pool },
    log,
    config: { longPollMs: 20_000 },
    extra: { engine: { tables: [] } },
  });
}, 60_000);

afterAll(async () => {
  await server?.stop();
  if (pool) {
    await dropTestSlot({ name: PG_NAME, pool });
    await pool.end();
  }
  await postgres?.stop();
  if (server) removeDataDir(server.dataDir);
  if (folder) fs.rmSync(folder, { recursive: true, force: true });
});

interface Initial {
  handle: string;
  rows: Record<string, unknown>[];
}

/** A shape's initial sync (`offset=-1`): its handle and snapshot rows. */
async function initial(params: Record<string, string>): Promise<Initial> {
  const url = new URL(server.shapeUrl);
  for (const [k, v] of Object.entries({ ...params, offset: '-1' })) url.searchParams.set(k, v);
  const res = await fetch(url);
  expect(res.status).toBe(200);
  const body = (await res.json()) as { headers: { operation?: string }; value?: Record<string, unknown> }[];
  return {
    handle: res.headers.get('electric-handle') as string,
    rows: body.filter((m) => m.headers.operation === 'insert').map((m) => m.value ?? {}),
  };
}

/** A transaction whose commit is flushed (so streamed) but held running by a synchronous-replication wait. */
async function heldCommit(sql: string): Promise<{ pid: number; committed: Promise<unknown> }> {
  const client = new pg.Client({ connectionString: postgres?.url });
  client.on('notice', () => undefined); // "canceling wait for synchronous replication"
  await client.connect();
  const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
  await client.query(`begin; set local synchronous_commit = on; ${sql}`);
  const committed = client.query('commit').finally(() => client.end());
  return { pid: (rows[0] as { pid: number }).pid, committed };
}

/**
 * Whether the held backend reaches its synchronous-replication wait. The stream may deliver the
 * commit a moment before the backend gets there (flushed, not yet waiting), and Postgres has no event
 * for it, so its state is read again until it does, or for at most 10 s.
 */
async function waitingForStandby(pid: number): Promise<boolean> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const { rows } = await pool.query<{ wait_event: string | null }>(
      'select wait_event from pg_stat_activity where pid = $1',
      [pid],
    );
    if (rows[0]?.wait_event === 'SyncRep') return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * A held commit on `things`, once the stream delivered it (the existing shape's log has it) while
 * Postgres still shows it running.
 */
async function streamedButRunning(sql: string): Promise<{ pid: number; committed: Promise<unknown> }> {
  const existing = await initial({ table: 'things' });
  const before = server.running.engine.tail(existing.handle) as LogOffset;
  const held = await heldCommit(sql);
  expect(await server.running.engine.waitForChange(existing.handle, before, { timeoutMs: 60_000 })).toBe(
    'changed',
  );
  expect(await waitingForStandby(held.pid)).toBe(true);
  return held;
}

/** Lets the held commit end: it becomes visible to new snapshots. */
async function release(held: { pid: number; committed: Promise<unknown> }): Promise<void> {
  await pool.query('select pg_cancel_backend($1)', [held.pid]);
  await held.committed;
}

/**
 * Creates a shape while `held` is streamed but not visible, and lets `held` go once the engine says
 * its snapshot waits for it, or once the creation answered without waiting.
 */
async function createDuringGap(
  params: Record<string, string>,
  held: { pid: number; committed: Promise<unknown> },
): Promise<{ first: 'waits' | 'answered'; initial: Initial }> {
  const waits = new Promise<'waits'>((resolve) => snapshotWaits.push(() => resolve('waits')));
  const created = initial(params);
  const first = await Promise.race([waits, created.then(() => 'answered' as const)]);
  await release(held);
  return { first, initial: await created };
}

it('[SE61] a shape created while a streamed commit is not yet visible still holds that transaction', async () => {
  const held = await streamedButRunning(`insert into things values (2, 'b')`);
  const { first, initial: created } = await createDuringGap({ table: 'things', where: 'id > 0' }, held);
  expect(created.rows.map((r) => r.id).sort()).toEqual(['1', '2']);
  expect(first).toBe('waits');
});

it('[SE61] after a TRUNCATE streamed before it is visible, the new shape holds the rows inserted with it', async () => {
  const old = await initial({ table: 'bins' });
  expect(old.rows).toHaveLength(2);
  const tail = server.running.engine.tail(old.handle) as LogOffset;
  const held = await heldCommit(`truncate bins; insert into bins values (3, 'c')`);
  expect(await server.running.engine.waitForChange(old.handle, tail, { timeoutMs: 60_000 })).toBe('deleted');
  expect(await waitingForStandby(held.pid)).toBe(true);
  // Before SE61 the snapshot, blocked by the TRUNCATE's lock, then read the new empty table: [].
  const { first, initial: created } = await createDuringGap({ table: 'bins' }, held);
  expect(created.handle).not.toBe(old.handle);
  expect(created.rows).toEqual([{ id: '3', v: 'c' }]);
  expect(first).toBe('waits');
});

it('[SE61] a snapshot waiting for a streamed commit gives up when the engine stops', async () => {
  const held = await streamedButRunning(`insert into things values (9, 'z')`);
  const waits = new Promise<void>((resolve) => snapshotWaits.push(resolve));
  const url = new URL(server.shapeUrl);
  url.searchParams.set('table', 'things');
  url.searchParams.set('where', 'id > 5');
  url.searchParams.set('offset', '-1');
  const answer = fetch(url);
  await waits;
  // The commit stays running: without giving up, stop() would wait for it (its snapshot connection
  // is never released) and this test would reach its time limit. Last in this file: the server stops.
  await server.running.engine.stop();
  expect((await answer).status).toBe(503);
  await release(held);
});
