// The announced watermark against a real Postgres, the real engine, the real disk store and raw HTTP
// (SPEC.md SE35, SE42, SE57): no response carries an LSN the watermark has not reached, a slow shape
// build or a slow disk does not hold it back, and a live poll that times out announces it. A store gate stands in for a
// slow disk or a slow snapshot; waits are on protocol events, never on time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type FreshDatabase } from '../../../../tests/support/postgres';
import { parseOffset, type LogOffset } from '../offset';
import { DiskShapeLogStore } from '../storage/disk-store';
import {
  GatedStore,
  TEST_SHAPE_CONFIG,
  dropTestSlot,
  removeDataDir,
  startTestShapeServer,
  tempDataDir,
  testSlotName,
  type TestShapeServer,
} from './testing';

const LONG_POLL_MS = 2000;
let db: FreshDatabase;
let server: TestShapeServer;
let store: GatedStore;

beforeAll(async () => {
  db = await freshDatabase({ migrate: true });
  await db.pool.query(`create table pairs (id int primary key, k int not null)`);
  const dataDir = tempDataDir();
  store = new GatedStore(await DiskShapeLogStore.open({ dataDir, chunkBytes: TEST_SHAPE_CONFIG.chunkBytes }));
  server = await startTestShapeServer({
    db,
    dataDir,
    config: { longPollMs: LONG_POLL_MS },
    extra: { store },
  });
});

afterAll(async () => {
  await server?.stop();
  await dropTestSlot(db);
  await db.drop();
  if (server) removeDataDir(server.dataDir);
});

interface Message {
  headers: { lsn?: string; control?: string; global_last_seen_lsn?: string };
  key?: string;
}

interface Answer {
  handle: string;
  offset: string;
  body: Message[];
}

function shapeUrl(params: Record<string, string>): URL {
  const url = new URL(server.shapeUrl);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url;
}

async function get(params: Record<string, string>): Promise<Answer> {
  const res = await fetch(shapeUrl(params));
  expect(res.status).toBe(200);
  return {
    handle: res.headers.get('electric-handle') as string,
    offset: res.headers.get('electric-offset') as string,
    body: (await res.json()) as Message[],
  };
}

/** A shape `k = <k>` read from -1 to its first up-to-date: where a live client starts. */
async function shape(k: number): Promise<{ where: string; handle: string; offset: string }> {
  const where = `k = ${k}`;
  const first = await get({ table: 'pairs', where, offset: '-1' });
  const rest = await get({ table: 'pairs', where, handle: first.handle, offset: first.offset });
  return { where, handle: first.handle, offset: rest.offset };
}

function catchUp(s: { where: string; handle: string; offset: string }): Promise<Answer> {
  return get({ table: 'pairs', where: s.where, handle: s.handle, offset: s.offset });
}

function liveParams(s: { where: string; handle: string; offset: string }): Record<string, string> {
  return { table: 'pairs', where: s.where, handle: s.handle, offset: s.offset, live: 'true' };
}

function live(s: { where: string; handle: string; offset: string }): Promise<Answer> {
  return get(liveParams(s));
}

function announcedLsn(answer: Answer): bigint {
  const control = answer.body.at(-1)?.headers;
  expect(control?.control).toBe('up-to-date');
  return BigInt(control?.global_last_seen_lsn as string);
}

/** Whether the engine's slot is acknowledged at or past commit LSN `lsn`. */
async function slotConfirmedPast(lsn: bigint): Promise<boolean> {
  const { rows } = await db.pool.query<{ past: boolean }>(
    `select confirmed_flush_lsn >= '0/0'::pg_lsn + $2::numeric as past from pg_replication_slots where slot_name = $1`,
    [testSlotName(db), lsn.toString()],
  );
  return rows[0]?.past === true;
}

function dataLsns(answer: Answer): bigint[] {
  return answer.body.filter((m) => m.headers.lsn !== undefined).map((m) => BigInt(m.headers.lsn as string));
}

describe('the announced watermark', () => {
  it('[SE57] a live response is sent only once the watermark covers its data; a refresh of another shape then answers at least that LSN', async () => {
    const a = await shape(1);
    const b = await shape(2);
    const c = await shape(3);
    const slowB = store.holdAppends(b.handle);
    let sent = false;
    let x = 0n;
    const liveA = live(a).then((answer) => {
      sent = true;
      return answer;
    });
    try {
      // One transaction touching A and B: A's entries become durable, B's append is held.
      await db.pool.query(`insert into pairs values (101, 1), (102, 2)`);
      await slowB.reached;
      const since = parseOffset(a.offset) as LogOffset;
      expect(await server.running.engine.waitForChange(a.handle, since, { timeoutMs: 30_000 })).toBe(
        'changed',
      );
      x = server.running.engine.tail(a.handle)?.tx as bigint;
      expect(server.running.engine.watermark).toBeLessThan(x);
      // A round trip through the server after A's append: A's response would have been written by now.
      const before = await catchUp(c);
      expect(announcedLsn(before)).toBeLessThan(x);
      expect(sent).toBe(false);
    } finally {
      slowB.open();
    }
    const answerA = await liveA;
    expect(dataLsns(answerA)).toEqual([x]);
    expect(announcedLsn(answerA)).toBe(x);
    // What MultiShapeStream does on data at X: a non-live request to a shape behind it.
    const refreshC = await catchUp(c);
    expect(announcedLsn(refreshC)).toBeGreaterThanOrEqual(x);
    expect(dataLsns(await catchUp(b))).toEqual([x]);
  });

  it('[SE57] a live poll that times out announces the watermark read before its tail check', async () => {
    const quiet = await shape(4);
    const busy = await shape(5);
    const liveBusy = live(busy);
    await db.pool.query(`insert into pairs values (105, 5)`);
    const x = dataLsns(await liveBusy)[0] as bigint;
    expect(server.running.engine.watermark).toBeGreaterThanOrEqual(x);
    const timedOut = await live(quiet);
    expect(timedOut.body).toHaveLength(1);
    expect(timedOut.offset).toBe(quiet.offset);
    expect(announcedLsn(timedOut)).toBeGreaterThanOrEqual(x);
  });

  it('[SE42][SE35] a live poll is answered once its change is visible, before it is durable; the slot moves past it only once it is durable', async () => {
    const watched = await shape(9);
    const slowDisk = store.holdDurability();
    let x = 0n;
    try {
      const answer = await Promise.all([live(watched), db.pool.query(`insert into pairs values (109, 9)`)]);
      x = dataLsns(answer[0])[0] as bigint;
      expect(announcedLsn(answer[0])).toBe(x);
      await slowDisk.reached;
      expect(await slotConfirmedPast(x)).toBe(false);
    } finally {
      slowDisk.open();
    }
    await expect.poll(() => slotConfirmedPast(x), { timeout: 30_000 }).toBe(true);
  });

  it('[SE42] a failed append rotates its shape: the live poll gets 409 must-refetch, other shapes and the watermark go on', async () => {
    const broken = await shape(10);
    const healthy = await shape(11);
    store.failAppends(broken.handle);
    const brokenLive = fetch(shapeUrl(liveParams(broken)));
    const healthyLive = live(healthy);
    await db.pool.query(`insert into pairs values (110, 10), (111, 11)`);
    const answer = await brokenLive;
    expect(answer.status).toBe(409);
    expect(answer.headers.get('electric-handle')).not.toBe(broken.handle);
    const x = dataLsns(await healthyLive)[0] as bigint;
    expect(server.running.engine.watermark).toBeGreaterThanOrEqual(x);
    const rebuilt = await get({ table: 'pairs', where: broken.where, offset: '-1' });
    expect(rebuilt.body.some((m) => m.key === '"public"."pairs"/"110"')).toBe(true);
  });

  it('[SE35] a slow shape build does not hold the announced watermark back; the shape serves what it buffered', async () => {
    const ready = await shape(6);
    const slowBuild = store.holdNextCreate();
    const building = get({ table: 'pairs', where: 'k = 7', offset: '-1' });
    await slowBuild.reached;
    const liveReady = live(ready);
    await db.pool.query(`insert into pairs values (106, 6), (107, 7)`);
    const answer = await liveReady;
    const x = dataLsns(answer)[0] as bigint;
    expect(announcedLsn(answer)).toBe(x);
    expect(server.running.engine.watermark).toBeGreaterThanOrEqual(x);
    expect(announcedLsn(await catchUp(await shape(8)))).toBeGreaterThanOrEqual(x);

    slowBuild.open();
    const first = await building;
    expect(first.body.at(-1)?.headers.control).toBe('snapshot-end');
    const rest = await get({ table: 'pairs', where: 'k = 7', handle: first.handle, offset: first.offset });
    expect(rest.body.find((m) => m.key === '"public"."pairs"/"107"')?.headers.lsn).toBe(String(x));
    expect(announcedLsn(rest)).toBeGreaterThanOrEqual(x);
  });
});
