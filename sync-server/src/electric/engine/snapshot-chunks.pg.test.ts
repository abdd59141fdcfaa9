// A new shape's snapshot served chunk by chunk while it runs (SPEC.md SE65), against a real Postgres,
// the real engine and disk store and raw HTTP. A store gate stops the snapshot halfway, as a big
// table's would be: the closed chunks are answered, the rest waits for the shape to be ready, and no
// up-to-date comes before the transactions buffered meanwhile. Waits are on protocol events only.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freshDatabase, type FreshDatabase } from '../../../../tests/support/postgres';
import { parseOffset, type LogOffset } from '../offset';
import { DiskShapeLogStore } from '../storage/disk-store';
import {
  GatedStore,
  dropTestSlot,
  removeDataDir,
  startTestShapeServer,
  tempDataDir,
  type TestShapeServer,
} from './testing';

const ROWS = 400;
/** A few rows a chunk: the snapshot closes several before the gate stops it. */
const CHUNK_BYTES = 2_000;
const BATCH = 20;
let db: FreshDatabase;
let server: TestShapeServer;
let store: GatedStore;

beforeAll(async () => {
  db = await freshDatabase({ migrate: true });
  await db.pool.query(`create table big (id int primary key, title text not null)`);
  await db.pool.query(`insert into big select g, 'row ' || g from generate_series(1, ${ROWS}) g`);
  const dataDir = tempDataDir();
  store = new GatedStore(await DiskShapeLogStore.open({ dataDir, chunkBytes: CHUNK_BYTES }));
  server = await startTestShapeServer({
    db,
    dataDir,
    config: { chunkBytes: CHUNK_BYTES, longPollMs: 2_000 },
    extra: { store, engine: { snapshotBatchSize: BATCH } },
  });
});

afterAll(async () => {
  await server?.stop();
  await dropTestSlot(db);
  await db.drop();
  if (server) removeDataDir(server.dataDir);
});

interface Message {
  headers: { operation?: string; control?: string };
  value?: { id: string; title: string };
}

interface Answer {
  status: number;
  handle: string;
  offset: string;
  upToDate: boolean;
  body: Message[];
}

async function get(params: Record<string, string>): Promise<Answer> {
  const url = new URL(server.shapeUrl);
  for (const [k, v] of Object.entries({ table: 'big', ...params })) url.searchParams.set(k, v);
  const res = await fetch(url);
  return {
    status: res.status,
    handle: res.headers.get('electric-handle') ?? '',
    offset: res.headers.get('electric-offset') ?? '',
    upToDate: res.headers.has('electric-up-to-date'),
    body: res.status === 200 ? ((await res.json()) as Message[]) : [],
  };
}

const ids = (answer: Answer): number[] => answer.body.filter((m) => m.value).map((m) => Number(m.value?.id));

it('[SE65] a new shape answers -1 and catch-ups from the chunks its snapshot closed; the rest, and up-to-date, only once it is ready', async () => {
  const held = store.holdSnapshotAfter(8);
  const first = get({ offset: '-1' });
  await held.reached;
  // The snapshot is stopped at 160 of 400 rows: the -1 request is answered from what it closed.
  const initial = await first;
  expect(initial.status).toBe(200);
  expect(initial.upToDate).toBe(false);
  expect(ids(initial).length).toBeGreaterThan(0);
  expect(ids(initial).length).toBeLessThan(8 * BATCH);
  expect(initial.body.some((m) => m.headers.control === 'snapshot-end')).toBe(false);

  // A catch-up from there is served too while the snapshot has closed its chunk (the store tells).
  const seen = [...ids(initial)];
  let offset = initial.offset;
  while (!(await store.read(initial.handle, parseOffset(offset) as LogOffset)).upToDate) {
    const next = await get({ handle: initial.handle, offset });
    expect(next.status).toBe(200);
    expect(next.upToDate).toBe(false);
    seen.push(...ids(next));
    offset = next.offset;
  }
  // The rest of the snapshot is not closed yet: this one waits, and a live request needs the shape.
  const waiting = get({ handle: initial.handle, offset });
  const live = get({ handle: initial.handle, offset, live: 'true' });

  // Committed while the snapshot runs: buffered, in the log after snapshot-end, before up-to-date.
  await db.pool.query(`insert into big values (${ROWS + 1}, 'during the snapshot')`);
  held.open();
  expect((await live).status).toBe(409);
  let answer = await waiting;
  for (;;) {
    expect(answer.status).toBe(200);
    seen.push(...ids(answer));
    if (answer.upToDate) break;
    answer = await get({ handle: initial.handle, offset: answer.offset });
  }
  expect(seen).toEqual(Array.from({ length: ROWS + 1 }, (_, i) => i + 1));
});
