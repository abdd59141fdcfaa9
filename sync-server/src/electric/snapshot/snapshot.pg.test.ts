import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type FreshDatabase } from '../../../../tests/support/postgres';
import { ReplicationClient } from '../replication/client';
import { dropSlot, setUpReplication } from '../replication/setup';
import { EventLog, inserted } from '../replication/testing';
import type { Row as StreamRow } from '../replication/transactions';
import { type Row, type SnapshotQuery, type SnapshotStart, takeSnapshot } from './take';
import { isInSnapshot } from './visibility';

let db: FreshDatabase;
let slot: string;
const publication = 'hearth_pub';
let stream: ReplicationClient | undefined;

const MATRIX_COLUMNS = [
  'id',
  'i2',
  'i4',
  'i8',
  'f4',
  'f8',
  'num',
  'b',
  't',
  'js',
  'jsb',
  'a1',
  'a2',
  'ta',
  'e',
  'ea',
  'u',
  'ts',
  'tsz',
  'd',
  'iv',
  'by',
  'bp',
  'value',
  'has,comma',
  'has space',
  'has"quote',
];

beforeAll(async () => {
  db = await freshDatabase();
  slot = db.name;
  await db.pool.query(`
    create type mood as enum ('sad', 'ok', 'happy');
    create table matrix (
      id int primary key, i2 int2, i4 int4, i8 int8, f4 float4, f8 float8, num numeric, b bool, t text,
      js json, jsb jsonb, a1 int4[], a2 int8[][], ta text[], e mood, ea mood[], u uuid, ts timestamp,
      tsz timestamptz, d date, iv interval, by bytea, bp char(5), value text, "has,comma" text,
      "has space" text, "has""quote" text
    );
    create table big (id int primary key, payload text);
    create table accounts (id int primary key, owner int not null, balance int not null);
    create table markers (id serial primary key, note text not null);
  `);
  await setUpReplication(db.pool, {
    names: { publication, slot },
    tables: [{ name: 'matrix' }, { name: 'accounts' }, { name: 'markers' }],
  });
});

afterEach(async () => {
  await stream?.stop();
  stream = undefined;
});

afterAll(async () => {
  await dropSlot(db.pool, slot);
  await db.drop();
});

async function startStream(log: EventLog): Promise<void> {
  stream = new ReplicationClient({
    connection: db.url,
    pool: db.pool,
    names: { publication, slot },
    handler: log.record,
  });
  await stream.start();
}

/** Takes a snapshot and keeps its rows (for small tables). */
async function snapshot(query: SnapshotQuery): Promise<{ info: SnapshotStart; rows: Row[] }> {
  const rows: Row[] = [];
  let info: SnapshotStart | undefined;
  await takeSnapshot(db.pool, query, {
    start: (i) => {
      info = i;
    },
    rows: (batch) => {
      rows.push(...batch);
    },
  });
  return { info: info as SnapshotStart, rows };
}

let markerCount = 0;
async function mark(): Promise<string> {
  const note = `marker-${++markerCount}`;
  await db.pool.query('insert into markers (note) values ($1)', [note]);
  return note;
}

describe('takeSnapshot (real Postgres)', () => {
  it('[SN1] reads the snapshot and WAL positions before any row, in a REPEATABLE READ READ ONLY transaction', async () => {
    await db.pool.query(`insert into big select i, 'p' || i from generate_series(1, 3) i`);
    const calls: string[] = [];
    const result = await takeSnapshot(
      db.pool,
      {
        table: { schema: 'public', name: 'big' },
        columns: ['id', 'payload'],
        where: `current_setting('transaction_isolation') = $1 and current_setting('transaction_read_only') = 'on'`,
        params: ['repeatable read'],
      },
      {
        start: (info) => {
          calls.push('start');
          expect(info.snapshot.xmin).toBeLessThanOrEqual(info.snapshot.xmax);
          expect(info.horizonLsn).toBeGreaterThanOrEqual(info.walLsn);
        },
        rows: (batch) => {
          calls.push(`rows ${batch.length}`);
        },
      },
    );
    expect(calls).toEqual(['start', 'rows 3']);
    expect(result.rowCount).toBe(3);
    await db.pool.query('truncate big');
  });

  it('[SN1] streams 100,000 rows in batches without holding them', async () => {
    await db.pool.query(`insert into big select i, md5(i::text) from generate_series(1, 100000) i`);
    let count = 0;
    let largest = 0;
    let sum = 0;
    const result = await takeSnapshot(
      db.pool,
      { table: { schema: 'public', name: 'big' }, columns: ['id'] },
      {
        start: () => undefined,
        rows: (batch) => {
          count += batch.length;
          largest = Math.max(largest, batch.length);
          for (const row of batch) sum += Number(row.id);
        },
      },
      { batchSize: 5_000 },
    );
    expect(result.rowCount).toBe(100_000);
    expect(count).toBe(100_000);
    expect(largest).toBe(5_000);
    expect(sum).toBe((100_000 * 100_001) / 2);
    await db.pool.query('truncate big');
  });

  it('[SN1] a failing query rolls back and gives the connection up, with Postgres’ error', async () => {
    const failed = await snapshot({ table: { schema: 'public', name: 'nope' }, columns: ['id'] }).catch(
      (e: unknown) => e,
    );
    expect((failed as Error).message).toMatch(/relation "public.nope" does not exist/);
    expect(db.pool.totalCount - db.pool.idleCount).toBe(0);
  });
});

describe('text forms (real Postgres)', () => {
  it('[SN5] every type in the matrix prints the same through the snapshot and the stream', async () => {
    const log = new EventLog();
    await startStream(log);
    await db.pool.query(`
      insert into matrix values
        (1, -32768, 2147483647, 9223372036854775807, 1.5, 0.1, 12345678901234567890.123456789, true,
         E'quote '' double " backslash \\\\ newline\n tab\t unicode é 😀', '{"a": [1, 2.50, null], "b": "é"}',
         '{"b": 1, "a": [true, null]}', '{1,NULL,3}', '{{1,NULL},{3,4}}', '{"a b","c,d",NULL,"e\\"f",""}',
         'happy', '{sad,NULL,ok}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '2024-01-01 10:00:00.123456',
         '2024-01-01 10:00:00+02', '2024-02-29', '1 day 2 hours 3.5 seconds', '\\x0a0bff', 'ab',
         'value', 'comma', 'space', 'quote'),
        (2, 0, 0, -1, 'NaN', 'Infinity', 'NaN', false, '', 'null', '[]', '{}', '{{NULL,NULL}}', '{}', 'sad',
         '{}', '00000000-0000-0000-0000-000000000000', '-infinity', 'infinity', '0001-01-01 BC', '-1 mons',
         '\\x', '', '', '', '', ''),
        (3, null, null, null, '-Infinity', '-Infinity', 'Infinity', null, null, null, null, null, null,
         null, null, null, null, null, null, null, null, null, null, null, null, null, null);
    `);
    const tx = await log.transactionWith(inserted('matrix', 'id', '3'));
    const streamed = new Map(
      tx.changes.map((c) => [c.kind === 'insert' ? c.newRow.id : '', c.kind === 'insert' ? c.newRow : {}]),
    );

    const { rows } = await snapshot({ table: { schema: 'public', name: 'matrix' }, columns: MATRIX_COLUMNS });
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(streamed.get(row.id as string)).toEqual(row);

    // The forms the protocol doc names (§2.5), so the settings are checked, not only their equality.
    const [one, two, three] = [1, 2, 3].map((id) => rows.find((r) => r.id === String(id)) as Row);
    expect(one).toMatchObject({
      i8: '9223372036854775807',
      f4: '1.5',
      f8: '0.1',
      num: '12345678901234567890.123456789',
      b: 't',
      t: `quote ' double " backslash \\ newline\n tab\t unicode é 😀`,
      js: '{"a": [1, 2.50, null], "b": "é"}',
      jsb: '{"a": [true, null], "b": 1}',
      a1: '{1,NULL,3}',
      a2: '{{1,NULL},{3,4}}',
      ta: '{"a b","c,d",NULL,"e\\"f",""}',
      e: 'happy',
      ea: '{sad,NULL,ok}',
      ts: '2024-01-01 10:00:00.123456',
      tsz: '2024-01-01 08:00:00+00',
      d: '2024-02-29',
      iv: 'P1DT2H3.5S',
      by: '\\x0a0bff',
      bp: 'ab   ',
      'has,comma': 'comma',
      'has"quote': 'quote',
    });
    expect(two).toMatchObject({
      f4: 'NaN',
      f8: 'Infinity',
      num: 'NaN',
      b: 'f',
      tsz: 'infinity',
      d: '0001-01-01 BC',
    });
    expect(two).toMatchObject({ iv: 'P-1M', by: '\\x', a2: '{{NULL,NULL}}', ts: '-infinity' });
    expect(three).toMatchObject({ f4: '-Infinity', num: 'Infinity', i2: null, ea: null, value: null });
  });

  it('[SN5] old and new rows of an update print as the snapshots before and after it', async () => {
    const log = new EventLog();
    await startStream(log);
    const before = await snapshot({
      table: { schema: 'public', name: 'matrix' },
      columns: MATRIX_COLUMNS,
      where: 'id = 1',
    });
    await db.pool.query(
      `update matrix set tsz = tsz + interval '1 hour', ea = '{happy}', by = '\\xdead' where id = 1`,
    );
    const after = await snapshot({
      table: { schema: 'public', name: 'matrix' },
      columns: MATRIX_COLUMNS,
      where: 'id = 1',
    });
    const tx = await log.until(() =>
      log
        .transactions()
        .find((t) => t.changes.some((c) => c.kind === 'update' && c.relation.table === 'matrix')),
    );
    const change = tx.changes[0];
    expect(change?.kind === 'update' && change.oldRow).toEqual(before.rows[0]);
    expect(change?.kind === 'update' && change.newRow).toEqual(after.rows[0]);
    stream?.ack(tx.commitLsn);
  });
});

/** A small seeded generator, so a failure can be replayed from the printed seed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Accounts = Map<string, StreamRow>;

describe('snapshot and stream together (real Postgres)', () => {
  it('[SN6] under concurrent writes every committed change is in the snapshot or after it, never both, never neither', async () => {
    const seed = Date.now() % 1_000_000;
    const random = prng(seed);
    const log = new EventLog();
    await startStream(log);
    await db.pool.query(`insert into accounts select i, i % 3, 100 from generate_series(1, 60) i`);

    const WRITERS = 3;
    const TRANSACTIONS = 40;
    let running = WRITERS;
    const writer = async (owner: number): Promise<void> => {
      const client = await db.pool.connect();
      let nextId = 1000 + owner;
      try {
        for (let i = 0; i < TRANSACTIONS; i++) {
          await client.query('begin');
          const statements = 1 + Math.floor(random() * 3);
          for (let s = 0; s < statements; s++) {
            const pick = random();
            if (pick < 0.3) {
              await client.query('insert into accounts values ($1, $2, $3)', [
                nextId,
                owner,
                Math.floor(random() * 100),
              ]);
              nextId += WRITERS;
            } else if (pick < 0.8) {
              await client.query(
                `update accounts set balance = balance + $2 where id = (select id from accounts where owner = $1 order by random() limit 1)`,
                [owner, 1 + Math.floor(random() * 9)],
              );
            } else {
              await client.query(
                'delete from accounts where id = (select id from accounts where owner = $1 order by random() limit 1)',
                [owner],
              );
            }
          }
          await client.query(random() < 0.1 ? 'rollback' : 'commit');
        }
      } finally {
        client.release();
        running--;
      }
    };
    const snapshots: { info: SnapshotStart; rows: Row[] }[] = [];
    const snapshotter = async (): Promise<void> => {
      while (running > 0) {
        snapshots.push(
          await snapshot({
            table: { schema: 'public', name: 'accounts' },
            columns: ['id', 'owner', 'balance'],
          }),
        );
      }
    };
    await Promise.all([...Array.from({ length: WRITERS }, (_, w) => writer(w)), snapshotter()]);
    await log.transactionWith(inserted('markers', 'note', await mark()));
    const final = await snapshot({
      table: { schema: 'public', name: 'accounts' },
      columns: ['id', 'owner', 'balance'],
    });

    let dropped = 0;
    let applied = 0;
    expect(snapshots.length, `seed ${seed}`).toBeGreaterThan(0);
    for (const { info, rows } of snapshots) {
      const state: Accounts = new Map(rows.map((r) => [r.id as string, r]));
      for (const tx of log.transactions()) {
        const changes = tx.changes.filter((c) => c.relation.table === 'accounts');
        if (changes.length === 0) continue;
        if (isInSnapshot(tx, info)) {
          dropped++;
          continue;
        }
        applied++;
        for (const change of changes) {
          // Never both: a change applied on top of the snapshot must find the row as it left it.
          if (change.kind === 'insert') {
            expect(state.has(change.newRow.id as string), `seed ${seed}: insert twice`).toBe(false);
            state.set(change.newRow.id as string, change.newRow);
          } else if (change.kind === 'update') {
            expect(state.get(change.newRow.id as string), `seed ${seed}: update base`).toEqual(change.oldRow);
            state.set(change.newRow.id as string, change.newRow);
          } else if (change.kind === 'delete') {
            expect(state.get(change.oldRow.id as string), `seed ${seed}: delete base`).toEqual(change.oldRow);
            state.delete(change.oldRow.id as string);
          }
        }
      }
      // Never neither: the snapshot plus what followed it is the table as it ended.
      const sorted = (m: Iterable<Row>): Row[] => [...m].sort((a, b) => Number(a.id) - Number(b.id));
      expect(sorted(state.values()), `seed ${seed}`).toEqual(sorted(final.rows));
    }
    expect(dropped, `seed ${seed}`).toBeGreaterThan(0);
    expect(applied, `seed ${seed}`).toBeGreaterThan(0);
    const last = log.transactions().at(-1);
    if (last) stream?.ack(last.commitLsn);
  });
});
