// A restart of the shape engine (SPEC.md SE30, SE32, SE52): shapes survive on disk under the same
// handle, replication resumes from the slot, and a client resuming from its saved handle and offset
// gets exactly what was written while the server was down, once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShapeStream, type Message, type Row } from '@electric-sql/client';
import {
  dropTestSlot,
  removeDataDir,
  startTestShapeServer,
  tempDataDir,
  type TestShapeServer,
} from '@hearth/sync-server/electric/engine/testing';
import { freshDatabase, type FreshDatabase } from '../support/postgres';

let db: FreshDatabase;
let server: TestShapeServer | undefined;
const dataDir = tempDataDir();

beforeAll(async () => {
  db = await freshDatabase({ migrate: true });
  await db.pool.query(
    `create table notes (id int primary key, body text); insert into notes values (1, 'a'), (2, 'b')`,
  );
});

afterAll(async () => {
  await server?.stop();
  await dropTestSlot(db);
  await db.drop();
  if (dataDir) removeDataDir(dataDir);
});

interface Read {
  readonly all: Message<Row>[];
  /** The stream's position when `done` first held: where a client that stopped then resumes. */
  readonly handle: string;
  readonly offset: ShapeStream['lastOffset'];
}

/** Reads a stream until an up-to-date batch where `done` holds, then stops it. */
function readUntil(s: ShapeStream<Row>, done: (all: Message<Row>[]) => boolean): Promise<Read> {
  const all: Message<Row>[] = [];
  return new Promise((resolve) => {
    s.subscribe((batch) => {
      all.push(...batch);
      const last = batch.at(-1);
      if (last && 'control' in last.headers && last.headers.control === 'up-to-date' && done(all)) {
        const read = { all, handle: s.shapeHandle as string, offset: s.lastOffset };
        s.unsubscribeAll();
        resolve(read);
      }
    });
  });
}

const ops = (all: Message<Row>[]): [string, string][] =>
  all.flatMap((m) => ('key' in m ? [[m.headers.operation, m.key] as [string, string]] : []));

describe('restart of the shape engine', () => {
  it('[SE32][SE52] shapes survive a restart; a resuming client gets the changes made while down, once', async () => {
    server = await startTestShapeServer({ db, dataDir, config: { longPollMs: 5000 } });
    const { handle, offset } = await readUntil(
      new ShapeStream<Row>({ url: server.shapeUrl, params: { table: 'notes' } }),
      () => true,
    );
    await db.pool.query(`insert into notes values (3, 'c')`);
    const seen = await readUntil(
      new ShapeStream<Row>({ url: server.shapeUrl, params: { table: 'notes' } }),
      (all) => ops(all).length === 3,
    );
    expect(ops(seen.all).map(([, key]) => key)).toEqual(
      ['1', '2', '3'].map((id) => `"public"."notes"/"${id}"`),
    );
    await server.stop();

    await db.pool.query(`update notes set body = 'A' where id = 1`);
    await db.pool.query(`delete from notes where id = 2`);
    await db.pool.query(`insert into notes values (4, 'd')`);

    server = await startTestShapeServer({ db, dataDir, config: { longPollMs: 5000 } });
    const resumed = new ShapeStream<Row>({
      url: server.shapeUrl,
      params: { table: 'notes' },
      handle,
      offset,
    });
    const missed = await readUntil(resumed, (all) => ops(all).length >= 4);
    expect(missed.handle).toBe(handle);
    expect(ops(missed.all)).toEqual([
      ['insert', '"public"."notes"/"3"'],
      ['update', '"public"."notes"/"1"'],
      ['delete', '"public"."notes"/"2"'],
      ['insert', '"public"."notes"/"4"'],
    ]);

    // A new client reads the whole log once: snapshot, then each change exactly once.
    await db.pool.query(`insert into notes values (5, 'e')`);
    const full = await readUntil(
      new ShapeStream<Row>({ url: server.shapeUrl, params: { table: 'notes' } }),
      (all) => ops(all).some(([, key]) => key.endsWith('"5"')),
    );
    expect(full.all.some((m) => 'control' in m.headers && m.headers.control === 'snapshot-end')).toBe(true);
    expect(ops(full.all).map(([op, key]) => `${op} ${key.slice(-3)}`)).toEqual([
      'insert "1"',
      'insert "2"',
      'insert "3"',
      'update "1"',
      'delete "2"',
      'insert "4"',
      'insert "5"',
    ]);
  });
});
