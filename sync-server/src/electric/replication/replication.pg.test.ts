import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { syncedTables } from '@hearth/schema/catalogue';
import { ErrorCode } from '@hearth/schema/errors';
import { freshDatabase, type FreshDatabase } from '../../../../tests/support/postgres';
import { isNewTransaction } from './acknowledgement';
import { ReplicationClient, type ReplicationClientOptions } from './client';
import { REPLICATION_REASONS, ReplicationError } from './errors';
import { dropSlot, ensurePublication, ensureSlot, readSlot, setUpReplication } from './setup';
import { EventLog, inserted } from './testing';
import type { Transaction } from './transactions';

let db: FreshDatabase;
let slot: string;
const publication = 'hearth_pub';
const clients: ReplicationClient[] = [];
const logs = new Map<ReplicationClient, EventLog>();
const TABLES = [{ name: 'a' }, { name: 'b' }, { name: 'docs' }, { name: 'markers' }];

beforeAll(async () => {
  db = await freshDatabase();
  slot = db.name;
  await db.pool.query(`
    create table a (id int primary key, note text);
    create table b (id int primary key, a_id int, label text);
    create table docs (id int primary key, title text, body text);
    create table markers (id serial primary key, note text not null);
  `);
  await setUpReplication(db.pool, { names: { publication, slot }, tables: TABLES });
});

afterEach(async () => {
  // Acknowledge what each test saw, so the next test's client starts after it.
  for (const c of clients) {
    const last = logs.get(c)?.transactions().at(-1);
    if (last) c.ack(last.commitLsn);
  }
  await Promise.all(clients.splice(0).map((c) => c.stop()));
});

afterAll(async () => {
  await dropSlot(db.pool, slot);
  await db.drop();
});

function client(log: EventLog, options: Partial<ReplicationClientOptions> = {}): ReplicationClient {
  const c = new ReplicationClient({
    connection: db.url,
    pool: db.pool,
    names: { publication, slot },
    handler: log.record,
    backoff: { initialMs: 20, maxMs: 200 },
    ...options,
  });
  clients.push(c);
  logs.set(c, log);
  return c;
}

let markerCount = 0;
/** Commits a marker row and returns its note: its arrival proves everything committed before did too. */
async function mark(): Promise<string> {
  const note = `marker-${++markerCount}`;
  await db.pool.query('insert into markers (note) values ($1)', [note]);
  return note;
}

async function stopClient(c: ReplicationClient): Promise<void> {
  clients.splice(clients.indexOf(c), 1);
  await c.stop();
}

describe('set-up (real Postgres)', () => {
  it('[RP1] publishes every table with REPLICA IDENTITY FULL, and a second run changes nothing', async () => {
    const { rows } = await db.pool.query<{ tablename: string; replident: string }>(
      `select p.tablename, c.relreplident as replident from pg_publication_tables p
         join pg_class c on c.oid = format('%I.%I', p.schemaname, p.tablename)::regclass
        where p.pubname = $1 order by 1`,
      [publication],
    );
    expect(rows).toEqual(['a', 'b', 'docs', 'markers'].map((tablename) => ({ tablename, replident: 'f' })));
    const again = await setUpReplication(db.pool, { names: { publication, slot }, tables: TABLES });
    expect(again.publication).toEqual({ created: false, added: [], identityFull: [] });
    expect(again.slot.status).toBe('existing');
  });

  it('[RP1] a missing table or a bad name is a typed error that says what to do', async () => {
    const missing = await ensurePublication(db.pool, publication, [{ name: 'nope' }]).catch(
      (e: unknown) => e,
    );
    expect(missing).toBeInstanceOf(ReplicationError);
    expect(missing).toMatchObject({
      reason: REPLICATION_REASONS.tableMissing,
      code: ErrorCode.invalidConfig,
    });
    expect((missing as Error).message).toMatch(/"public"\."nope" does not exist.*run the migrations/);
    const badName = await ensurePublication(db.pool, 'Bad-Name', []).catch((e: unknown) => e);
    expect(badName).toMatchObject({ reason: REPLICATION_REASONS.invalidName, code: ErrorCode.invalidConfig });
  });

  it('[RP1] the synced tables of @hearth/schema publish as they are, after the real migrations', async () => {
    const migrated = await freshDatabase({ migrate: true });
    try {
      const changes = await ensurePublication(migrated.pool, publication, syncedTables);
      expect(changes.added).toHaveLength(syncedTables.length);
      const { rows } = await migrated.pool.query<{ count: string }>(
        `select count(*) from pg_publication_tables p
           join pg_class c on c.oid = format('%I.%I', p.schemaname, p.tablename)::regclass
          where p.pubname = $1 and c.relreplident = 'f'`,
        [publication],
      );
      expect(Number(rows[0]?.count)).toBe(syncedTables.length);
    } finally {
      await migrated.drop();
    }
  });

  it('[RP2] a slot of the same name in another database is refused, not reused', async () => {
    const other = await freshDatabase();
    try {
      const refused = await ensureSlot(other.pool, slot).catch((e: unknown) => e);
      expect(refused).toMatchObject({
        reason: REPLICATION_REASONS.slotInOtherDatabase,
        code: ErrorCode.invalidConfig,
      });
      expect((refused as Error).message).toMatch(/configure a slot name per database/);
    } finally {
      await other.drop();
    }
  });
});

describe('the stream (real Postgres)', () => {
  it('[RP3] a multi-table transaction arrives as one transaction, only after its commit', async () => {
    const log = new EventLog();
    await client(log).start();
    const writer = await db.pool.connect();
    try {
      await writer.query('begin');
      await writer.query(`insert into a values (1, 'one')`);
      await writer.query(`insert into b values (10, 1, 'ten')`);
      // A transaction that commits while this one is open arrives, this one does not.
      const before = await log.transactionWith(inserted('markers', 'note', await mark()));
      expect(log.transactions().some((t) => t.changes.some((c) => c.relation.table === 'a'))).toBe(false);
      await writer.query(`update a set note = 'uno' where id = 1`);
      await writer.query('commit');
      const tx = await log.transactionWith(inserted('a', 'id', '1'));
      expect(tx.changes.map((c) => `${c.kind} ${c.relation.table}`)).toEqual([
        'insert a',
        'insert b',
        'update a',
      ]);
      expect(tx.commitLsn).toBeGreaterThan(before.commitLsn);
      expect(tx.endLsn).toBeGreaterThan(tx.commitLsn);
      expect(log.transactions().filter((t) => t === tx)).toHaveLength(1);
    } finally {
      writer.release();
    }
  });

  it('[RP3] the xid is the one the writer saw (pg_current_xact_id()::xid), for txids', async () => {
    const log = new EventLog();
    await client(log).start();
    const writer = await db.pool.connect();
    try {
      await writer.query('begin');
      await writer.query(`insert into a values (2, 'two')`);
      const { rows } = await writer.query<{ txid: string }>('select pg_current_xact_id()::xid::text as txid');
      await writer.query('commit');
      const tx = await log.transactionWith(inserted('a', 'id', '2'));
      expect(String(tx.xid)).toBe(rows[0]?.txid);
    } finally {
      writer.release();
    }
  });

  it('[RP3] a rolled-back transaction never arrives', async () => {
    const log = new EventLog();
    await client(log).start();
    const writer = await db.pool.connect();
    try {
      await writer.query('begin');
      await writer.query(`insert into a values (3, 'rolled back')`);
      await writer.query('rollback');
    } finally {
      writer.release();
    }
    await log.transactionWith(inserted('markers', 'note', await mark()));
    expect(log.transactions().some((t) => t.changes.some(inserted('a', 'id', '3')))).toBe(false);
  });

  it('[RP5] updates and deletes carry the whole old row', async () => {
    const log = new EventLog();
    await client(log).start();
    await db.pool.query(`insert into b values (20, 1, 'before')`);
    await db.pool.query(`update b set label = 'after' where id = 20`);
    await db.pool.query(`delete from b where id = 20`);
    const update = await log.until(() =>
      log
        .transactions()
        .flatMap((t) => t.changes)
        .find((c) => c.kind === 'update' && c.relation.table === 'b'),
    );
    expect(update).toMatchObject({
      oldRow: { id: '20', a_id: '1', label: 'before' },
      newRow: { id: '20', a_id: '1', label: 'after' },
    });
    const del = await log.until(() =>
      log
        .transactions()
        .flatMap((t) => t.changes)
        .find((c) => c.kind === 'delete' && c.relation.table === 'b'),
    );
    expect(del).toMatchObject({ oldRow: { id: '20', a_id: '1', label: 'after' } });
  });

  it('[RP5] an unchanged TOASTed value is filled from the old row', async () => {
    const log = new EventLog();
    await client(log).start();
    // ~25 kB of incompressible text is stored out of line (TOAST).
    await db.pool.query(
      `insert into docs values (1, 'first', (select string_agg(md5(i::text), '') from generate_series(1, 800) i))`,
    );
    await db.pool.query(`update docs set title = 'second' where id = 1`);
    const { rows } = await db.pool.query<{ body: string }>('select body from docs where id = 1');
    const update = await log.until(() =>
      log
        .transactions()
        .flatMap((t) => t.changes)
        .find((c) => c.kind === 'update' && c.relation.table === 'docs'),
    );
    expect(update.kind === 'update' && update.newRow).toEqual({
      id: '1',
      title: 'second',
      body: rows[0]?.body,
    });
    expect(update.kind === 'update' && update.unchangedToastColumns).toBeUndefined();
  });

  it('[RP6] a TRUNCATE arrives as a truncate change', async () => {
    const log = new EventLog();
    await client(log).start();
    await db.pool.query(`insert into b values (30, 1, 'x')`);
    await db.pool.query('truncate b');
    const tx = await log.until(() =>
      log.transactions().find((t) => t.changes.some((c) => c.kind === 'truncate')),
    );
    expect(tx.changes.map((c) => [c.kind, c.relation.schema, c.relation.table])).toEqual([
      ['truncate', 'public', 'b'],
    ]);
  });

  it('[RP7] relations come with type names and the primary key; an altered table is a `changed` relation', async () => {
    const log = new EventLog();
    await client(log).start();
    await db.pool.query(`insert into a values (40, 'x')`);
    const first = await log.until(() =>
      log.events.find((e) => e.type === 'relation' && e.relation.table === 'a'),
    );
    expect(first.type === 'relation' && first.relation).toMatchObject({
      schema: 'public',
      table: 'a',
      keyColumns: ['id'],
      replicaIdentity: 'full',
      columns: [
        { name: 'id', typeName: 'int4', typeOid: 23 },
        { name: 'note', typeName: 'text', typeOid: 25 },
      ],
    });
    await db.pool.query('alter table a add column extra int8[]');
    await db.pool.query(`insert into a values (41, 'y', '{1}')`);
    const changed = await log.until(() =>
      log.events.find((e) => e.type === 'relation' && e.status === 'changed' && e.relation.table === 'a'),
    );
    expect(changed.type === 'relation' && changed.relation.columns.map((c) => c.typeName)).toEqual([
      'int4',
      'text',
      '_int8',
    ]);
    const tx = await log.transactionWith(inserted('a', 'id', '41'));
    expect(tx.changes[0]?.kind === 'insert' && tx.changes[0].newRow).toEqual({
      id: '41',
      note: 'y',
      extra: '{1}',
    });
    await db.pool.query('alter table a drop column extra');
  });
});

describe('acknowledgement and resumption (real Postgres)', () => {
  it('[RP9] a consumer that did not ack gets the transaction again after a restart; once acked, never', async () => {
    const first = new EventLog();
    const c1 = client(first);
    await c1.start();
    await db.pool.query(`insert into a values (50, 'unacked')`);
    const tx = await first.transactionWith(inserted('a', 'id', '50'));
    await stopClient(c1);

    const second = new EventLog();
    const c2 = client(second);
    await c2.start();
    const again = await second.transactionWith(inserted('a', 'id', '50'));
    expect({ xid: again.xid, commitLsn: again.commitLsn }).toEqual({ xid: tx.xid, commitLsn: tx.commitLsn });
    c2.ack(again.commitLsn);
    await stopClient(c2);
    expect((await readSlot(db.pool, slot))?.confirmedFlushLsn).toBe(again.endLsn);

    const third = new EventLog();
    await client(third).start();
    await third.transactionWith(inserted('markers', 'note', await mark()));
    expect(third.transactions().some((t) => t.changes.some(inserted('a', 'id', '50')))).toBe(false);
  });

  it('[RP9] the replay filter drops what a consumer already applied', async () => {
    const log = new EventLog();
    let applied: bigint | undefined;
    const kept: Transaction[] = [];
    const c = client(log, {
      handler: (event) => {
        log.record(event);
        if (event.type !== 'transaction' || !isNewTransaction(event.transaction.commitLsn, applied)) return;
        kept.push(event.transaction);
        applied = event.transaction.commitLsn;
      },
    });
    await c.start();
    await db.pool.query(`insert into a values (55, 'once')`);
    await log.transactionWith(inserted('a', 'id', '55'));
    // Cut the connection without an ack: Postgres sends the transaction again.
    await db.pool.query(
      'select pg_terminate_backend(active_pid, 10000) from pg_replication_slots where slot_name = $1',
      [slot],
    );
    await log.until(() =>
      log.transactions().filter((t) => t.changes.some(inserted('a', 'id', '55'))).length === 2
        ? true
        : undefined,
    );
    expect(kept.filter((t) => t.changes.some(inserted('a', 'id', '55')))).toHaveLength(1);
    c.ack(applied ?? 0n);
  });

  it('[RP12] after a lost connection the client reports it, reconnects and resumes from the last ack', async () => {
    const log = new EventLog();
    const c = client(log);
    await c.start();
    await db.pool.query(`insert into a values (60, 'acked')`);
    const acked = await log.transactionWith(inserted('a', 'id', '60'));
    c.ack(acked.commitLsn);
    await db.pool.query(`insert into a values (61, 'not acked')`);
    const unacked = await log.transactionWith(inserted('a', 'id', '61'));
    const streams = log.events.filter((e) => e.type === 'streaming').length;

    await db.pool.query(
      'select pg_terminate_backend(active_pid, 10000) from pg_replication_slots where slot_name = $1',
      [slot],
    );
    const disconnected = await log.event('disconnected');
    expect(disconnected.error).toMatchObject({ reason: REPLICATION_REASONS.connectionLost });
    await log.until(() =>
      log.events.filter((e) => e.type === 'streaming').length > streams ? true : undefined,
    );
    const resent = await log.until(() =>
      log.transactions().filter((t) => t.commitLsn === unacked.commitLsn).length === 2 ? true : undefined,
    );
    expect(resent).toBe(true);
    // The acknowledged one was not sent again.
    expect(log.transactions().filter((t) => t.commitLsn === acked.commitLsn)).toHaveLength(1);
    c.ack(unacked.commitLsn);
  });

  it('[RP10] a handler that throws gets the same transaction again, in order', async () => {
    const log = new EventLog();
    let failures = 0;
    const c = client(log, {
      handler: (event) => {
        if (
          event.type === 'transaction' &&
          event.transaction.changes.some(inserted('a', 'id', '70')) &&
          failures++ === 0
        ) {
          throw new Error('disk full');
        }
        log.record(event);
      },
    });
    await c.start();
    await db.pool.query(`insert into a values (70, 'retry me')`);
    const tx = await log.transactionWith(inserted('a', 'id', '70'));
    expect(failures).toBe(2);
    const disconnected = log.events.find((e) => e.type === 'disconnected');
    expect(disconnected?.type === 'disconnected' && disconnected.error.reason).toBe(
      REPLICATION_REASONS.handlerFailed,
    );
    c.ack(tx.commitLsn);
  });

  it('[RP11] a dropped slot is reported as slot-lost, a new slot is made, and the stream goes on', async () => {
    const log = new EventLog();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const c = client(log, {
      handler: async (event) => {
        log.record(event);
        // Hold the client in its reconnect pause while the test drops the slot.
        if (event.type === 'disconnected') await gate;
      },
    });
    await c.start();
    await db.pool.query(
      'select pg_terminate_backend(active_pid, 10000) from pg_replication_slots where slot_name = $1',
      [slot],
    );
    await log.event('disconnected');
    expect(await dropSlot(db.pool, slot)).toBe(true);
    release();
    const lost = await log.event('slot-lost');
    expect(lost.error).toMatchObject({
      reason: REPLICATION_REASONS.slotMissing,
      code: ErrorCode.unavailable,
    });
    expect(lost.newSlotLsn).toBeGreaterThan(0n);
    const lostAt = log.events.indexOf(lost);
    await db.pool.query(`insert into a values (80, 'after the new slot')`);
    const tx = await log.transactionWith(inserted('a', 'id', '80'));
    expect(
      log.events.indexOf(log.events.find((e) => e.type === 'transaction' && e.transaction === tx) as never),
    ).toBeGreaterThan(lostAt);
    expect(tx.commitLsn).toBeGreaterThan(lost.newSlotLsn);
    c.ack(tx.commitLsn);
  });

  it('[RP11] a client started on a missing slot reports slot-lost before streaming', async () => {
    expect(await dropSlot(db.pool, slot)).toBe(true);
    const log = new EventLog();
    await client(log).start();
    expect(log.events.map((e) => e.type).slice(0, 2)).toEqual(['slot-lost', 'streaming']);
  });
});

describe('connections', () => {
  it('[RP12] stop() before the first connection succeeds ends the retry loop', async () => {
    const log = new EventLog();
    const nowhere = new URL(db.url);
    nowhere.port = '1';
    const c = new ReplicationClient({
      connection: nowhere.toString(),
      pool: db.pool,
      names: { publication, slot },
      handler: log.record,
      backoff: { initialMs: 10, maxMs: 20 },
    });
    const started = c.start().catch((e: unknown) => e);
    const disconnected = await log.event('disconnected');
    expect(disconnected.error).toMatchObject({ reason: REPLICATION_REASONS.connectionLost });
    await c.stop();
    expect(await started).toBeInstanceOf(Error);
  });
});
