import { describe, expect, it } from 'vitest';
import type { PgoutputMessage, RelationMessage } from './pgoutput';
import { POSTGRES_EPOCH_MICROS } from './pgoutput';
import { type Relation, TransactionAssembler, buildRelation } from './transactions';

const itemsMessage: RelationMessage = {
  tag: 'relation',
  oid: 1,
  schema: 'public',
  table: 'items',
  replicaIdentity: 'full',
  columns: [
    { name: 'id', typeOid: 23, typeMod: -1, inReplicaIdentity: true },
    { name: 'body', typeOid: 25, typeMod: -1, inReplicaIdentity: true },
    { name: '__proto__', typeOid: 25, typeMod: -1, inReplicaIdentity: true },
  ],
};
const names: Record<number, string> = { 23: 'int4', 25: 'text' };
const items = buildRelation(itemsMessage, (c) => names[c.typeOid] ?? '?', ['id']);

function assembler(...relations: Relation[]): TransactionAssembler {
  const a = new TransactionAssembler();
  for (const r of relations) a.setRelation(r);
  return a;
}

const begin = (xid: number, finalLsn: bigint): PgoutputMessage => ({
  tag: 'begin',
  finalLsn,
  commitTime: 0n,
  xid,
});
const commit = (commitLsn: bigint, endLsn: bigint): PgoutputMessage => ({
  tag: 'commit',
  commitLsn,
  endLsn,
  commitTime: 1_000_000n,
});

describe('TransactionAssembler', () => {
  it('[RP3] changes are held until Commit, then come out as one transaction in order', () => {
    const a = assembler(items);
    expect(a.push(begin(7, 100n))).toBeUndefined();
    expect(a.push({ tag: 'insert', relationOid: 1, newTuple: ['1', 'a', 'p'] })).toBeUndefined();
    expect(a.push({ tag: 'delete', relationOid: 1, oldTuple: ['1', 'a', 'p'] })).toBeUndefined();
    const tx = a.push(commit(100n, 120n));
    expect(tx).toMatchObject({ xid: 7, commitLsn: 100n, endLsn: 120n });
    expect(tx?.commitTime.getTime()).toBe(Number(POSTGRES_EPOCH_MICROS / 1000n) + 1000);
    expect(tx?.changes.map((c) => c.kind)).toEqual(['insert', 'delete']);
    expect(a.inTransaction).toBe(false);
  });

  it('[RP4] rows are keyed by column name, a column named __proto__ included', () => {
    const a = assembler(items);
    a.push(begin(7, 100n));
    a.push({ tag: 'insert', relationOid: 1, newTuple: ['1', null, 'kept'] });
    const change = a.push(commit(100n, 120n))?.changes[0];
    expect(change?.kind === 'insert' && change.newRow).toEqual(
      Object.fromEntries([
        ['id', '1'],
        ['body', null],
        ['__proto__', 'kept'],
      ]),
    );
    expect(change?.kind === 'insert' && Object.keys(change.newRow)).toEqual(['id', 'body', '__proto__']);
  });

  it('[RP5] an unchanged TOAST value is filled from the old row', () => {
    const a = assembler(items);
    a.push(begin(7, 100n));
    a.push({
      tag: 'update',
      relationOid: 1,
      oldTuple: ['1', 'long text', 'p'],
      newTuple: ['1', undefined, 'q'],
    });
    const change = a.push(commit(100n, 120n))?.changes[0];
    expect(change).toMatchObject({
      kind: 'update',
      oldRow: { id: '1', body: 'long text' },
      newRow: { id: '1', body: 'long text' },
    });
    expect(change && 'unchangedToastColumns' in change).toBe(false);
  });

  it('[RP5] without an old row an unchanged TOAST column is left out and named', () => {
    const a = assembler(items);
    a.push(begin(7, 100n));
    a.push({ tag: 'update', relationOid: 1, newTuple: ['1', undefined, 'q'] });
    const change = a.push(commit(100n, 120n))?.changes[0];
    expect(change).toMatchObject({ kind: 'update', unchangedToastColumns: ['body'] });
    expect(change?.kind === 'update' && Object.hasOwn(change.newRow, 'body')).toBe(false);
  });

  it('[RP5] a key-only delete (identity not FULL) keeps only the key values', () => {
    const a = assembler(items);
    a.push(begin(7, 100n));
    a.push({ tag: 'delete', relationOid: 1, keyTuple: ['1', null, null] });
    expect(a.push(commit(100n, 120n))?.changes[0]).toMatchObject({ kind: 'delete', oldRow: { id: '1' } });
  });

  it('[RP6] a truncate becomes one change per relation', () => {
    const other = { ...items, oid: 2, table: 'others' };
    const a = assembler(items, other);
    a.push(begin(7, 100n));
    a.push({ tag: 'truncate', relationOids: [1, 2], cascade: false, restartIdentity: false });
    const tx = a.push(commit(100n, 120n));
    expect(tx?.changes.map((c) => [c.kind, c.relation.table])).toEqual([
      ['truncate', 'items'],
      ['truncate', 'others'],
    ]);
  });

  it('[RP3] abort forgets a transaction cut off by a lost connection', () => {
    const a = assembler(items);
    a.push(begin(7, 100n));
    a.push({ tag: 'insert', relationOid: 1, newTuple: ['1', 'a', 'p'] });
    a.abort();
    a.push(begin(7, 100n));
    expect(a.push(commit(100n, 120n))?.changes).toEqual([]);
  });

  it('[RP3] changes outside a transaction, unknown relations and a mismatched commit are protocol errors', () => {
    const a = assembler(items);
    expect(() => a.push({ tag: 'insert', relationOid: 1, newTuple: ['1', 'a', 'p'] })).toThrow(/outside/);
    a.push(begin(7, 100n));
    expect(() => a.push({ tag: 'insert', relationOid: 9, newTuple: [] })).toThrow(/relation 9/);
    expect(() => a.push({ tag: 'insert', relationOid: 1, newTuple: ['1'] })).toThrow(/1 columns/);
    expect(() => a.push(commit(101n, 120n))).toThrow(/differs/);
  });

  it('[RP7] a Relation equal to the last is `same`, a different one is `changed`', () => {
    const a = new TransactionAssembler();
    expect(a.setRelation(items)).toEqual({ status: 'new' });
    expect(a.setRelation({ ...items })).toMatchObject({ status: 'same' });
    const widened = buildRelation(
      {
        ...itemsMessage,
        columns: [
          ...itemsMessage.columns,
          { name: 'extra', typeOid: 23, typeMod: -1, inReplicaIdentity: true },
        ],
      },
      (c) => names[c.typeOid] ?? '?',
      ['id'],
    );
    expect(a.setRelation(widened)).toMatchObject({ status: 'changed', previous: { oid: 1 } });
    expect(a.setRelation({ ...widened, keyColumns: ['id', 'body'] })).toMatchObject({ status: 'changed' });
  });

  it('[RP7] Type messages name user types for later relations', () => {
    const a = new TransactionAssembler();
    a.push({ tag: 'type', oid: 70000, schema: 'public', name: 'mood' });
    expect(a.typeNames.get(70000)).toBe('mood');
  });
});
