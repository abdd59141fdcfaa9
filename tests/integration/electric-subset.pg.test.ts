// Subset snapshots (sync-server/src/electric/SPEC.md SE38) with the official `@electric-sql/client`:
// `log: 'changes_only'` streams that load rows on demand with `requestSnapshot`, `fetchSnapshot` over
// GET and POST, and the raw protocol's answers (headers, body shape, 400s Electric writes). Waits are
// on protocol events (a Shape notification), never on time.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ShapeStream, type Row, type ShapeStreamOptions } from '@electric-sql/client';
import {
  dropTestSlot,
  removeDataDir,
  startTestShapeServer,
  type TestShapeServer,
} from '@hearth/sync-server/electric/engine/testing';
import { shapeOf, shapeUntil as until } from '../support/electric/clients';
import { freshDatabase, type FreshDatabase } from '../support/postgres';

const SECRET = 'subset-test-secret-0123456789abcdef';
let db: FreshDatabase;
let server: TestShapeServer;
const streams: ShapeStream[] = [];

beforeAll(async () => {
  db = await freshDatabase({ migrate: true });
  await db.pool.query(`
    create table tasks (id int primary key, title text not null, priority int, owner text);
    insert into tasks
      select i, 'task ' || i, i % 5, case when i % 2 = 0 then 'ana' else 'ben' end
      from generate_series(1, 40) i;
    create table notes (id bigint primary key, body text, secret text);
    insert into notes values (1, 'first', 's1'), (2, 'second', 's2'), (9007199254740993, 'big', 's3');
  `);
  server = await startTestShapeServer({ db, config: { secret: SECRET, longPollMs: 5000 } });
});

afterEach(() => {
  for (const s of streams.splice(0)) s.unsubscribeAll();
});

afterAll(async () => {
  await server?.stop();
  await dropTestSlot(db);
  await db.drop();
  if (server) removeDataDir(server.dataDir);
});

function stream(params: Record<string, string>, extra: Partial<ShapeStreamOptions> = {}): ShapeStream<Row> {
  const s = new ShapeStream<Row>({
    url: server.shapeUrl,
    params: { secret: SECRET, ...params },
    ...extra,
  });
  streams.push(s);
  return s;
}

const ids = (rows: Row[]) => rows.map((r) => Number(r.id)).sort((a, b) => a - b);

function subsetUrl(params: Record<string, string>): string {
  const url = new URL(server.shapeUrl);
  for (const [k, v] of Object.entries({ secret: SECRET, ...params })) url.searchParams.set(k, v);
  return url.toString();
}

describe('subset snapshots through the official client', () => {
  it('[SE38] a changes_only stream starts empty and requestSnapshot loads the where/params/orderBy/limit rows', async () => {
    const s = stream({ table: 'tasks' }, { log: 'changes_only' });
    const shape = shapeOf(s);
    await shape.requestSnapshot({
      where: 'owner = $1 AND priority >= $2',
      params: { '1': 'ana', '2': '3' },
      orderBy: 'id desc',
      limit: 3,
    });
    // owner ana: even ids; priority = id % 5 >= 3: ids 38, 34, 28, … -> the three highest.
    const rows = await until(shape, (r) => r.length === 3);
    expect(ids(rows)).toEqual([28, 34, 38]);
  });

  it('[SE38] live changes follow a requested snapshot: updates to loaded rows apply, none twice, unloaded ones wait for an insert', async () => {
    const s = stream({ table: 'tasks' }, { log: 'changes_only' });
    const shape = shapeOf(s);
    await shape.requestSnapshot({ where: 'id <= 3', orderBy: 'id' });
    await until(shape, (r) => r.length === 3);
    await db.pool.query(`update tasks set title = 'renamed' where id in (2, 30)`);
    await db.pool.query(`insert into tasks values (100, 'new one', 1, 'ana')`);
    const rows = await until(shape, (r) => r.some((row) => row.id === 100));
    // Row 30 was never loaded: its update is no insert, so the changes_only Shape leaves it out.
    expect(ids(rows)).toEqual([1, 2, 3, 100]);
    expect(rows.find((r) => r.id === 2)?.title).toBe('renamed');
  });

  it('[SE38] a snapshot taken while transactions commit stays consistent with them', async () => {
    const s = stream({ table: 'tasks' }, { log: 'changes_only' });
    const shape = shapeOf(s);
    const writes = (async () => {
      for (let i = 0; i < 20; i++)
        await db.pool.query(`update tasks set priority = $1 where id = 5`, [100 + i]);
    })();
    await shape.requestSnapshot({ where: 'id = 5' });
    await writes;
    // Whichever updates the snapshot showed are not applied again, the others arrive: the last wins.
    // (The shape's log may hold inserts of other tests: a changes_only Shape applies every insert.)
    const rows = await until(shape, (r) => r.find((row) => row.id === 5)?.priority === 119);
    expect(rows.filter((row) => row.id === 5)).toHaveLength(1);
  });

  it('[SE38] fetchSnapshot over GET and over POST returns the same rows, a bigint param included', async () => {
    const s = stream({ table: 'notes', columns: 'id,body' }, { log: 'changes_only' });
    const shape = shapeOf(s);
    await until(shape, () => true);
    const viaGet = await s.fetchSnapshot({ where: 'id = $1', params: { '1': 9007199254740993n } });
    const viaPost = await s.fetchSnapshot({
      where: 'id = $1',
      params: { '1': 9007199254740993n },
      method: 'POST',
    });
    for (const result of [viaGet, viaPost]) {
      expect(result.data.map((m) => m.value)).toEqual([{ id: 9007199254740993n, body: 'big' }]);
      expect(result.metadata.snapshot_mark).toEqual(expect.any(Number));
      expect(BigInt(result.metadata.xmax)).toBeGreaterThanOrEqual(BigInt(result.metadata.xmin));
    }
  });

  it('[SE38][SE8] the structured whereExpr / orderByExpr TanStack DB sends compile to clauses the engine takes', async () => {
    const s = stream({ table: 'tasks' }, { log: 'changes_only' });
    await until(shapeOf(s), () => true);
    const { data } = await s.fetchSnapshot({
      whereExpr: {
        type: 'func',
        name: 'and',
        args: [
          {
            type: 'func',
            name: 'like',
            args: [
              { type: 'func', name: 'lower', args: [{ type: 'ref', column: 'title' }] },
              { type: 'val', paramIndex: 1 },
            ],
          },
          {
            type: 'func',
            name: 'in',
            args: [
              { type: 'ref', column: 'owner' },
              { type: 'val', paramIndex: 2 },
            ],
          },
        ],
      },
      params: { '1': 'task 1%', '2': '{ana}' },
      orderByExpr: [{ column: 'id', direction: 'desc', nulls: 'last' }],
      limit: 3,
    });
    // lower(title) like 'task 1%' and owner = any('{ana}'): even ids among 1, 10-19 -> 18, 16, 14.
    expect(data.map((m) => Number(m.value.id))).toEqual([18, 16, 14]);
  });
});

describe('subset snapshots on the wire', () => {
  it('[SE38] answers {metadata, data} with the snapshot headers, no-cache, and leaves the shape log alone', async () => {
    const res = await fetch(
      subsetUrl({
        table: 'tasks',
        offset: '-1',
        log: 'changes_only',
        subset__where: 'id < 4',
        subset__order_by: 'id DESC NULLS LAST',
      }),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('electric-snapshot')).toBe('true');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('electric-offset')).toBe('-1');
    expect(res.headers.get('electric-schema')).toContain('"id"');
    const handle = res.headers.get('electric-handle') as string;
    const body = (await res.json()) as {
      metadata: Record<string, unknown>;
      data: { headers: Record<string, unknown>; key: string; value: Row }[];
    };
    const { xmin, xmax, xip_list, snapshot_mark, database_lsn, ...rest } = body.metadata;
    expect(rest).toEqual({});
    for (const xid of [xmin, xmax, database_lsn]) expect(xid).toMatch(/^\d+$/);
    expect(Array.isArray(xip_list)).toBe(true);
    expect(Number.isInteger(snapshot_mark)).toBe(true);
    expect(body.data.map((m) => m.value.id)).toEqual(['3', '2', '1']);
    expect(body.data[0]?.headers).toEqual({
      operation: 'insert',
      snapshot_mark: body.metadata.snapshot_mark,
      relation: ['public', 'tasks'],
    });
    expect(body.data[0]?.key).toBe('"public"."tasks"/"3"');

    // The shape's own log is still the empty changes_only snapshot.
    const log = await fetch(subsetUrl({ table: 'tasks', offset: '-1', log: 'changes_only' }));
    expect(log.headers.get('electric-handle')).toBe(handle);
    const entries = (await log.json()) as { headers: { control?: string } }[];
    expect(entries.map((m) => m.headers.control)).toEqual(['snapshot-end']);
  });

  it('[SE38] the shape where still applies and offset skips matching rows only', async () => {
    const res = await fetch(
      subsetUrl({
        table: 'tasks',
        offset: '-1',
        where: "owner = 'ben'",
        subset__where: 'id <= 10',
        subset__order_by: 'id',
        subset__offset: '1',
        subset__limit: '2',
      }),
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: { value: Row }[] };
    // ben: odd ids 1, 3, 5, … -> skip 1, take 3 and 5.
    expect(body.data.map((m) => m.value.id)).toEqual(['3', '5']);
  });

  it('[SE38] refuses a bad subset with the 400 Electric writes, naming the field', async () => {
    const cases: [Record<string, string>, Record<string, string[]>][] = [
      [{ subset__limit: '2' }, { order_by: ['order_by is required when limit or offset is present'] }],
      [{ subset__limit: '0', subset__order_by: 'id' }, { limit: ['must be greater than 0'] }],
      [{ subset__limit: 'many', subset__order_by: 'id' }, { limit: ['is invalid'] }],
      [{ subset__offset: '-1', subset__order_by: 'id' }, { offset: ['must be greater than or equal to 0'] }],
      [{ subset__where: 'id = $1', subset__params: '{oops' }, { params: ['params must be valid JSON'] }],
      [{ subset__where: 'id = $1', subset__params: '[1]' }, { params: ['params must be a JSON object'] }],
      [{ subset__where: 'nope = 1' }, { where: ['At location 0: unknown reference nope'] }],
      [
        { subset__order_by: 'lower(title)' },
        { order_by: ['At location 0: only columns can be ordered by, not FuncCall'] },
      ],
      [{ subset__order_by: 'nope' }, { order_by: ['At location 0: unknown reference nope'] }],
    ];
    for (const [params, errors] of cases) {
      const res = await fetch(subsetUrl({ table: 'tasks', offset: '-1', ...params }));
      expect(res.status, JSON.stringify(params)).toBe(400);
      expect(await res.json()).toEqual({ message: 'Invalid request', errors: { subset: errors } });
    }
  });

  it('[SE38] a subset may name only the columns the shape selects', async () => {
    const res = await fetch(
      subsetUrl({ table: 'notes', columns: 'id,body', offset: '-1', subset__where: "secret = 's1'" }),
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      message: 'Invalid request',
      errors: { subset: { where: ['the subset may not refer to the column(s) secret'] } },
    });
  });

  it('[SE38] POST takes the subset from a JSON body, flat or nested, and refuses a body that is no object', async () => {
    const url = subsetUrl({ table: 'tasks', offset: '-1' });
    const post = (body: string) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    for (const body of [
      { where: 'id = $1', params: { '1': 7 } },
      { subset: { where: 'id = $1', params: { '1': '7' } } },
    ]) {
      const res = await post(JSON.stringify(body));
      expect(res.status).toBe(200);
      const json = (await res.json()) as { data: { value: Row }[] };
      expect(json.data.map((m) => m.value.id)).toEqual(['7']);
    }
    const bad = await post('[1, 2]');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      message: 'Invalid request',
      errors: { subset: { body: ['must be a JSON object'] } },
    });
    const broken = await post('{not json');
    expect(broken.status).toBe(400);
    const problem = (await broken.json()) as { code?: unknown; message?: unknown };
    expect(typeof problem.code).toBe('string');
    expect(typeof problem.message).toBe('string');
  });

  it('[SE38] a subset with an unknown handle is a 409 naming the current one; over SSE a 400', async () => {
    const gone = await fetch(
      subsetUrl({ table: 'tasks', offset: '0_0', handle: '1-1', subset__where: 'id = 1' }),
    );
    expect(gone.status).toBe(409);
    const handle = gone.headers.get('electric-handle') as string;
    expect(handle).toMatch(/^\d+-\d+$/);
    const sse = await fetch(
      subsetUrl({
        table: 'tasks',
        offset: '0_0',
        handle,
        live: 'true',
        live_sse: 'true',
        subset__where: 'id = 1',
      }),
    );
    expect(sse.status).toBe(400);
    expect(await sse.json()).toEqual({
      message: 'Subset snapshots are a stable view of data, so SSE is not applicable',
    });
  });
});
