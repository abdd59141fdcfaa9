// `@electric-sql/pglite-sync` (syncShapesToTables) against Hearth's shape engine: a transaction that
// writes two tables on the server reaches PGlite as one local transaction (SPEC.md SE24, SE25, SE35).
// A deferred constraint trigger in PGlite records, at each local commit, what the other table held.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PGlite } from '@electric-sql/pglite';
import { live, type LiveNamespace } from '@electric-sql/pglite/live';
import { electricSync, type SyncNamespaceObj } from '@electric-sql/pglite-sync';
import {
  dropTestSlot,
  removeDataDir,
  startTestShapeServer,
  type TestShapeServer,
} from '@hearth/sync-server/electric/engine/testing';
import { freshDatabase, type FreshDatabase } from '../support/postgres';

let db: FreshDatabase;
let server: TestShapeServer;
let local: PGlite & { live: LiveNamespace; sync: SyncNamespaceObj };

const TABLES = `
  create table orders (id int primary key, total int not null);
  create table lines (id int primary key, order_id int not null, amount int not null);
`;

beforeAll(async () => {
  db = await freshDatabase({ migrate: true });
  await db.pool.query(TABLES);
  await db.pool.query(`insert into orders values (1, 5); insert into lines values (1, 1, 5)`);
  server = await startTestShapeServer({ db, config: { longPollMs: 5000 } });
  local = await PGlite.create({ extensions: { live, sync: electricSync() } });
  await local.exec(`
    ${TABLES}
    create table checks (order_id int, lines_seen int, expected int);
    create function check_order() returns trigger language plpgsql as $$
      begin
        insert into checks
          select new.id, (select count(*) from lines where order_id = new.id), new.total / 10;
        return null;
      end $$;
    create constraint trigger order_check after insert on orders
      deferrable initially deferred for each row execute function check_order();
  `);
}, 120_000);

afterAll(async () => {
  await local?.close();
  await server?.stop();
  await dropTestSlot(db);
  await db.drop();
  if (server) removeDataDir(server.dataDir);
});

/** Resolves once `sql` returns `count` rows in PGlite: a live query, woken by each local commit. */
async function rowsOnce<T>(sql: string, count: number): Promise<T[]> {
  return new Promise((resolve) => {
    void local.live.query<T>(sql, [], (result) => {
      if (result.rows.length >= count) resolve(result.rows);
    });
  });
}

describe('pglite-sync syncShapesToTables against the shape engine', () => {
  it('[SE24][SE35] a server transaction over two tables commits in PGlite as one transaction', async () => {
    const shape = (table: string) => ({
      shape: { url: server.shapeUrl, params: { table } },
      table,
      primaryKey: ['id'],
    });
    const sync = await local.sync.syncShapesToTables({
      key: null,
      shapes: { orders: shape('orders'), lines: shape('lines') },
    });
    await rowsOnce('select * from orders', 1);
    // Each order of total 10·k gets k lines, all in one server transaction.
    for (let k = 1; k <= 5; k++) {
      const order = 100 + k;
      const client = await db.pool.connect();
      try {
        await client.query('begin');
        await client.query('insert into orders values ($1, $2)', [order, 10 * k]);
        for (let i = 0; i < k; i++) {
          await client.query('insert into lines values ($1, $2, 10)', [order * 100 + i, order]);
        }
        await client.query('commit');
      } finally {
        client.release();
      }
    }
    const checks = await rowsOnce<{ order_id: number; lines_seen: number; expected: number }>(
      'select * from checks where order_id > 100 order by order_id',
      5,
    );
    expect(checks.map((c) => [c.order_id, Number(c.lines_seen)])).toEqual(
      checks.map((c) => [c.order_id, c.expected]),
    );
    const lines = await local.query<{ n: number }>('select count(*)::int as n from lines');
    expect(lines.rows[0]?.n).toBe(1 + 1 + 2 + 3 + 4 + 5);
    sync.unsubscribe();
  });
});
