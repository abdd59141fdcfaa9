import { describe, expect, it } from 'vitest';
import {
  encodeChange,
  encodeSnapshotRow,
  MUST_REFETCH_BODY,
  operationOf,
  responseBody,
  rowKey,
  shapeEncoding,
  snapshotEndMessage,
  upToDateLsn,
  upToDateMessage,
  type ChangeContext,
} from './messages';
import type { TableSchema } from './table-schema';

const issues: TableSchema = {
  schema: 'public',
  name: 'issues',
  primaryKey: ['id'],
  columns: [
    { name: 'id', type: 'int4' },
    { name: 'title', type: 'text' },
    { name: 'priority', type: 'int4' },
  ],
};
const ctx: ChangeContext = { lsn: 26800584n, opPosition: 4, txid: 1234, last: true };
const parse = (json: string): unknown => JSON.parse(json);

describe('log messages', () => {
  it('[SE21] keys are "schema"."table"/"pk…" with / and . doubled in names, / doubled in values, NULL as _', () => {
    expect(rowKey({ schema: 'public', name: 'serial_ids' }, ['id'], { id: '3' })).toBe(
      '"public"."serial_ids"/"3"',
    );
    expect(rowKey({ schema: 'hello', name: 'world' }, ['a', 'c'], { a: 'test/test', c: 'x' })).toBe(
      '"hello"."world"/"test//test"/"x"',
    );
    expect(rowKey({ schema: 'a"."b', name: 'c' }, ['a'], { a: '' })).toBe('"a".."b"."c"/""');
    expect(rowKey({ schema: 'a', name: 'b"/"' }, ['a'], { a: '' })).toBe('"a"."b"//""/""');
    expect(rowKey({ schema: 'electric_test', name: 'issues for abc_0_1' }, ['id'], { id: 'u1' })).toBe(
      '"electric_test"."issues for abc_0_1"/"u1"',
    );
    expect(rowKey({ schema: 'h', name: 'w' }, ['a', 'b', 'c'], { a: '1', b: null, c: '2' })).toBe(
      '"h"."w"/"1"/_/"2"',
    );
  });

  it('[SE21] a table without a primary key keys rows by every selected column, sorted by name', () => {
    const shape = shapeEncoding({ ...issues, primaryKey: [] }, ['title', 'id'], 'default');
    expect(shape.keyColumns).toEqual(['id', 'title']);
  });

  it('[SE22] a live insert carries operation, relation, lsn, op_position, txids, last, and the row as text', () => {
    const shape = shapeEncoding(issues, ['id', 'title', 'priority'], 'default');
    const [entry] = encodeChange(shape, 'insert', null, { id: '3', title: 'a "q"\n', priority: null }, ctx);
    expect(entry?.json).toBe(
      '{"headers":{"operation":"insert","relation":["public","issues"],"lsn":"26800584","op_position":4,"txids":[1234],"last":true},"key":"\\"public\\".\\"issues\\"/\\"3\\"","value":{"id":"3","title":"a \\"q\\"\\n","priority":null}}',
    );
    expect(entry?.offset).toEqual({ tx: 26800584n, op: 4 });
  });

  it('[SE22] a snapshot row carries only operation and relation headers', () => {
    const shape = shapeEncoding(issues, ['id', 'title'], 'default');
    const entry = encodeSnapshotRow(shape, { id: '1', title: 't', priority: '5' }, { tx: 0n, op: 0 });
    expect(parse(entry.json)).toEqual({
      headers: { operation: 'insert', relation: ['public', 'issues'] },
      key: '"public"."issues"/"1"',
      value: { id: '1', title: 't' },
    });
  });

  it('[SE23] replica=default: an update carries the key and changed columns; a delete the key only', () => {
    const shape = shapeEncoding(issues, ['id', 'title', 'priority'], 'default');
    const old = { id: '1', title: 'a', priority: '1' };
    const [update] = encodeChange(shape, 'update', old, { ...old, priority: '2' }, ctx);
    expect(parse(update?.json ?? '')).toMatchObject({
      headers: { operation: 'update' },
      value: { id: '1', priority: '2' },
    });
    expect((parse(update?.json ?? '') as { old_value?: unknown }).old_value).toBeUndefined();
    const [del] = encodeChange(shape, 'delete', old, null, ctx);
    expect(parse(del?.json ?? '')).toMatchObject({ headers: { operation: 'delete' }, value: { id: '1' } });
  });

  it('[SE23] replica=full: an update carries the whole row and old_value of changed columns; a delete the whole row', () => {
    const shape = shapeEncoding(issues, ['id', 'title', 'priority'], 'full');
    const old = { id: '1', title: 'a', priority: '1' };
    const [update] = encodeChange(shape, 'update', old, { ...old, priority: '2' }, ctx);
    expect(parse(update?.json ?? '')).toMatchObject({
      value: { id: '1', title: 'a', priority: '2' },
      old_value: { priority: '1' },
    });
    const [del] = encodeChange(shape, 'delete', old, null, ctx);
    expect(parse(del?.json ?? '')).toMatchObject({ value: old });
  });

  it('[SE23] an update that changes no selected column is dropped', () => {
    const shape = shapeEncoding(issues, ['id', 'title'], 'default');
    const old = { id: '1', title: 'a', priority: '1' };
    expect(encodeChange(shape, 'update', old, { ...old, priority: '9' }, ctx)).toEqual([]);
    expect(encodeChange(shape, 'update', old, old, ctx)).toEqual([]);
  });

  it('[SE23] a primary-key change is a delete (key_change_to) at n and an insert (key_change_from) at n+1', () => {
    const shape = shapeEncoding(issues, ['id', 'title', 'priority'], 'default');
    const entries = encodeChange(
      shape,
      'update',
      { id: '1', title: 'a', priority: '1' },
      { id: '2', title: 'a', priority: '1' },
      ctx,
    );
    expect(entries.map((e) => [e.operation, e.offset.op])).toEqual([
      ['delete', 4],
      ['insert', 5],
    ]);
    expect(parse(entries[0]?.json ?? '')).toMatchObject({
      headers: { key_change_to: '"public"."issues"/"2"' },
      key: '"public"."issues"/"1"',
      value: { id: '1' },
    });
    expect(parse(entries[1]?.json ?? '')).toMatchObject({
      headers: { key_change_from: '"public"."issues"/"1"', last: true },
      value: { id: '2', title: 'a', priority: '1' },
    });
    expect((parse(entries[0]?.json ?? '') as { headers: { last?: boolean } }).headers.last).toBeUndefined();
  });

  it('[SE18] [SE23] a move-in is written as an insert of the whole row, a move-out as a delete', () => {
    const shape = shapeEncoding(issues, ['id', 'title', 'priority'], 'default');
    const row = { id: '1', title: 'a', priority: '1' };
    expect(
      encodeChange(shape, 'move-in', { ...row, priority: '0' }, row, ctx).map((e) => parse(e.json)),
    ).toMatchObject([{ headers: { operation: 'insert' }, value: row }]);
    expect(
      encodeChange(shape, 'move-out', row, { ...row, priority: '0' }, ctx).map((e) => parse(e.json)),
    ).toMatchObject([{ headers: { operation: 'delete' }, value: { id: '1' } }]);
    expect(operationOf('move-in')).toBe('insert');
    expect(operationOf('move-out')).toBe('delete');
  });

  it('[SE24] last:true appears only when the change is the shape’s last of the transaction', () => {
    const shape = shapeEncoding(issues, ['id'], 'default');
    const [entry] = encodeChange(shape, 'insert', null, { id: '1' }, { ...ctx, last: false });
    expect(entry?.json).not.toContain('"last"');
  });

  it('[SE25] control messages: up-to-date with global_last_seen_lsn, must-refetch, snapshot-end with xid8 strings', () => {
    expect(upToDateMessage(26800584n)).toBe(
      '{"headers":{"control":"up-to-date","global_last_seen_lsn":"26800584"}}',
    );
    expect(MUST_REFETCH_BODY).toBe('[{"headers":{"control":"must-refetch"}}]');
    expect(snapshotEndMessage({ xmin: 1000n, xmax: 1050n, xipList: [1025n, 1030n] })).toBe(
      '{"headers":{"control":"snapshot-end","xmin":"1000","xmax":"1050","xip_list":["1025","1030"]}}',
    );
    expect(responseBody(['{"a":1}'], upToDateMessage(5n))).toBe(
      '[{"a":1},{"headers":{"control":"up-to-date","global_last_seen_lsn":"5"}}]',
    );
    expect(responseBody([])).toBe('[]');
  });

  it('[SE25] a live up-to-date carries the shape tail; a non-live one max(global watermark, shape tail)', () => {
    expect(upToDateLsn(true, 90n, 50n)).toBe(50n);
    expect(upToDateLsn(false, 90n, 50n)).toBe(90n);
    expect(upToDateLsn(false, 40n, 50n)).toBe(50n);
  });
});
