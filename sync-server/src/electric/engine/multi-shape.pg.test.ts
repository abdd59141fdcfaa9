// The official TransactionalMultiShapeStream (@electric-sql/experimental, what pglite-sync builds on)
// over two shapes of the real engine, with a third shape's appends held back (SPEC.md SE57): a
// transaction touching one of the two is published once both shapes' up-to-date LSNs reach it, with
// no other write needed. Waits are on the stream's own publications, never on time.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { isChangeMessage, type Row } from '@electric-sql/client';
import { TransactionalMultiShapeStream, type MultiShapeMessages } from '@electric-sql/experimental';
import { freshDatabase, type FreshDatabase } from '../../../../tests/support/postgres';
import type { LogOffset } from '../offset';
import { DiskShapeLogStore } from '../storage/disk-store';
import {
  GatedStore,
  TEST_SHAPE_CONFIG,
  dropTestSlot,
  removeDataDir,
  startTestShapeServer,
  tempDataDir,
  type TestShapeServer,
} from './testing';

let db: FreshDatabase;
let server: TestShapeServer;
let store: GatedStore;

beforeAll(async () => {
  db = await freshDatabase({ migrate: true });
  await db.pool.query(`create table pairs (id int primary key, k int not null)`);
  const dataDir = tempDataDir();
  store = new GatedStore(await DiskShapeLogStore.open({ dataDir, chunkBytes: TEST_SHAPE_CONFIG.chunkBytes }));
  server = await startTestShapeServer({ db, dataDir, config: { longPollMs: 20_000 }, extra: { store } });
});

afterAll(async () => {
  await server?.stop();
  await dropTestSlot(db);
  await db.drop();
  if (server) removeDataDir(server.dataDir);
});

/** Creates the shape `k = <k>` (a request from -1) and gives its handle. */
async function initial(k: number): Promise<{ handle: string }> {
  const url = new URL(server.shapeUrl);
  url.searchParams.set('table', 'pairs');
  url.searchParams.set('where', `k = ${k}`);
  url.searchParams.set('offset', '-1');
  const res = await fetch(url);
  await res.arrayBuffer();
  return { handle: res.headers.get('electric-handle') as string };
}

type Rows = { a: Row; b: Row };

it('[SE57] TransactionalMultiShapeStream commits a transaction one of its shapes got while another shape held the watermark back', async () => {
  const a = await initial(21);
  await initial(22);
  const c = await initial(23);
  const stream = new TransactionalMultiShapeStream<Rows>({
    shapes: {
      a: { url: server.shapeUrl, params: { table: 'pairs', where: 'k = 21' } },
      b: { url: server.shapeUrl, params: { table: 'pairs', where: 'k = 22' } },
    },
  });
  const published: MultiShapeMessages<Rows>[] = [];
  let onPublished: (() => void) | undefined;
  stream.subscribe((messages) => {
    published.push(...messages);
    onPublished?.();
  });
  const publishedRow = (id: number): Promise<MultiShapeMessages<Rows>> =>
    new Promise((resolve) => {
      const check = (): void => {
        const found = published.find((m) => isChangeMessage(m) && m.value.id === id);
        if (found) resolve(found);
      };
      onPublished = check;
      check();
    });
  try {
    // Both shapes synced: a first transaction touching both is published.
    await db.pool.query(`insert into pairs values (201, 21), (202, 22)`);
    await publishedRow(202);

    const slowC = store.holdAppends(c.handle);
    const before = server.running.engine.tail(a.handle) as LogOffset;
    await db.pool.query(`insert into pairs values (211, 21), (213, 23)`);
    await slowC.reached;
    await server.running.engine.waitForChange(a.handle, before, { timeoutMs: 30_000 });
    const x = server.running.engine.tail(a.handle)?.tx as bigint;
    slowC.open();
    const row = await publishedRow(211);
    expect(row.shape).toBe('a');
    expect(isChangeMessage(row) ? BigInt(row.headers.lsn as string) : 0n).toBe(x);
    expect(server.running.engine.watermark).toBeGreaterThanOrEqual(x);
  } finally {
    stream.unsubscribeAll();
    for (const s of Object.values(stream.shapes)) s.unsubscribeAll();
  }
});
