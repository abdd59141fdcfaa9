// The engine's pure parts: schema header, snapshot query, stored definitions, per-shape encoding of a
// transaction (SPEC.md SE24, SE37, SE50–SE52).
import { describe, expect, it } from 'vitest';
import { shapeEncoding } from '../messages';
import type { Relation } from '../replication/transactions';
import { validateShapeDefinition, type DefinitionInput, type ShapeDefinition } from '../shape-request';
import type { TableSchema } from '../table-schema';
import { items } from '../test-support/tables';
import { sameColumns, schemaHeader, typeModifiers, type TableInfo } from './catalog';
import { encodeWork } from './shape-engine';
import { arrayLiteral, snapshotQuery } from './snapshot-query';
import { decodeDefinition, encodeDefinition } from './stored-definition';

function define(input: Omit<DefinitionInput, 'table'>, table: TableSchema = items): ShapeDefinition {
  const result = validateShapeDefinition({ table: `${table.schema}.${table.name}`, ...input }, () => table);
  if (!result.ok) throw new Error(JSON.stringify(result.error.body));
  return result.value;
}

const info: TableInfo = {
  oid: 1,
  schema: {
    schema: 'public',
    name: 't',
    primaryKey: ['id'],
    columns: [
      { name: 'id', type: 'int8' },
      { name: 'tags', type: '_text' },
      { name: 'grid', type: '_int4' },
      { name: 'name', type: 'varchar' },
      { name: 'price', type: 'numeric' },
      { name: 'mood', type: 'mood', isEnum: true },
    ],
  },
  columns: [
    {
      name: 'id',
      typeName: 'int8',
      elementType: 'int8',
      isArray: false,
      isEnum: false,
      dims: 0,
      notNull: true,
      typeMod: -1,
    },
    {
      name: 'tags',
      typeName: '_text',
      elementType: 'text',
      isArray: true,
      isEnum: false,
      dims: 0,
      notNull: false,
      typeMod: -1,
    },
    {
      name: 'grid',
      typeName: '_int4',
      elementType: 'int4',
      isArray: true,
      isEnum: false,
      dims: 2,
      notNull: false,
      typeMod: -1,
    },
    {
      name: 'name',
      typeName: 'varchar',
      elementType: 'varchar',
      isArray: false,
      isEnum: false,
      dims: 0,
      notNull: true,
      typeMod: 68,
    },
    {
      name: 'price',
      typeName: 'numeric',
      elementType: 'numeric',
      isArray: false,
      isEnum: false,
      dims: 0,
      notNull: false,
      typeMod: (10 << 16) + 2 + 4,
    },
    {
      name: 'mood',
      typeName: 'mood',
      elementType: 'mood',
      isArray: false,
      isEnum: true,
      dims: 0,
      notNull: false,
      typeMod: -1,
    },
  ],
};

describe('electric-schema header', () => {
  it('[SE37] types, dims, pk_index, not_null and type modifiers, for the selected columns only', () => {
    expect(JSON.parse(schemaHeader(info, ['id', 'tags', 'grid', 'name', 'price', 'mood']))).toEqual({
      id: { type: 'int8', pk_index: 0, not_null: true },
      tags: { type: 'text', dims: 1 },
      grid: { type: 'int4', dims: 2 },
      name: { type: 'varchar', not_null: true, max_length: 64 },
      price: { type: 'numeric', precision: 10, scale: 2 },
      mood: { type: 'mood' },
    });
    expect(Object.keys(JSON.parse(schemaHeader(info, ['id', 'mood'])) as object)).toEqual(['id', 'mood']);
  });

  it('[SE37] modifiers follow atttypmod per type', () => {
    expect(typeModifiers('bpchar', 9)).toEqual({ length: 5 });
    expect(typeModifiers('timestamptz', 3)).toEqual({ precision: 3 });
    expect(typeModifiers('interval', (((1 << 3) | (1 << 10)) << 16) | 0xffff)).toEqual({
      fields: 'DAY TO HOUR',
    });
    expect(typeModifiers('text', -1)).toEqual({});
    expect(typeModifiers('geometry', 7)).toEqual({ type_mod: 7 });
  });
});

describe('schema changes', () => {
  const relation = (columns: [string, string][], key = ['id']): Relation => ({
    oid: 1,
    schema: 'public',
    table: 't',
    replicaIdentity: 'full',
    keyColumns: key,
    columns: columns.map(([name, typeName]) => ({ name, typeName, typeOid: 0, typeMod: -1 })),
  });
  const table: TableSchema = {
    schema: 'public',
    name: 't',
    primaryKey: ['id'],
    columns: [
      { name: 'id', type: 'int4' },
      { name: 'v', type: 'text' },
    ],
  };

  it('[SE50] a Relation with other columns, types or key is a schema change; the same one is not', () => {
    expect(
      sameColumns(
        table,
        relation([
          ['id', 'int4'],
          ['v', 'text'],
        ]),
      ),
    ).toBe(true);
    expect(
      sameColumns(
        table,
        relation([
          ['id', 'int4'],
          ['v', 'varchar'],
        ]),
      ),
    ).toBe(false);
    expect(
      sameColumns(
        table,
        relation([
          ['id', 'int4'],
          ['v', 'text'],
          ['w', 'text'],
        ]),
      ),
    ).toBe(false);
    expect(
      sameColumns(
        table,
        relation(
          [
            ['id', 'int4'],
            ['v', 'text'],
          ],
          ['id', 'v'],
        ),
      ),
    ).toBe(false);
  });
});

describe('snapshot query', () => {
  it('[SE51] selects the shape columns and those its where reads; the where is never sent as text', () => {
    const q = snapshotQuery(define({ columns: 'id', where: "title like 'a%' and n > 1" }));
    expect(q.columns).toEqual(['id', 'n', 'title']);
    expect(q.where).toBeUndefined();
  });

  it('[SE51] col = const, IN and OR of them become a parameterised prefilter', () => {
    expect(snapshotQuery(define({ where: 'n = 5 and title > $1', params: { '1': 'x' } }))).toMatchObject({
      where: '"n" = any($1::int8[])',
      params: ['{"5"}'],
    });
    expect(
      snapshotQuery(
        define({ where: `title in ('a"b', 'c\\d') or uid = '00000000-0000-0000-0000-000000000001'` }),
      ),
    ).toMatchObject({
      where: '("title" = any($1::text[]) or "uid" = any($2::uuid[]))',
      params: ['{"a\\"b","c\\\\d"}', '{"00000000000000000000000000000001"}'], // Postgres reads the undashed form
    });
    expect(snapshotQuery(define({ where: 'n = null' }))).toMatchObject({ params: ['{}'] });
    expect(snapshotQuery(define({ where: 'price = 1.5' })).where).toBeUndefined();
    expect(snapshotQuery(define({ log: 'changes_only' })).where).toBe('false');
  });

  it('[SE51] array literals quote every element', () => {
    expect(arrayLiteral(['a', 'b c', '"', '\\', 'NULL'])).toBe('{"a","b c","\\"","\\\\","NULL"}');
  });
});

describe('stored definitions', () => {
  it('[SE52] a stored definition validates back to the same shape key', () => {
    const definition = define({
      columns: 'id,"Has Space"',
      where: 'n > $1',
      params: { '1': '3' },
      replica: 'full',
    });
    const decoded = decodeDefinition(encodeDefinition(definition, 123n));
    expect(decoded?.horizonLsn).toBe(123n);
    const again = validateShapeDefinition(decoded?.input ?? { table: undefined }, () => items);
    expect(again.ok && again.value.key).toBe(definition.key);
    expect(decodeDefinition('{"v":2}')).toBeUndefined();
    expect(decodeDefinition('not json')).toBeUndefined();
  });
});

describe('per-shape encoding of a transaction', () => {
  const shape = { encoding: shapeEncoding(items, ['id', 'title'], 'default') };
  const tx = { commitLsn: 500n, xid: 7 };

  it("[SE24] last: true sits on the shape's last entry, also when the last change encodes to nothing", () => {
    const entries = encodeWork(shape, tx, [
      { index: 0, kind: 'insert', oldRow: null, newRow: { id: '1', title: 'a' } },
      { index: 3, kind: 'update', oldRow: { id: '2', title: 'b' }, newRow: { id: '2', title: 'c' } },
      {
        index: 5,
        kind: 'update',
        oldRow: { id: '1', title: 'a', n: '1' },
        newRow: { id: '1', title: 'a', n: '2' },
      },
    ]);
    expect(
      entries.map((e) => [e.offset, (JSON.parse(e.json) as { headers: { last?: boolean } }).headers.last]),
    ).toEqual([
      [{ tx: 500n, op: 0 }, undefined],
      [{ tx: 500n, op: 6 }, true],
    ]);
    expect(
      encodeWork(shape, tx, [
        { index: 0, kind: 'update', oldRow: { id: '1', title: 'a' }, newRow: { id: '1', title: 'a' } },
      ]),
    ).toEqual([]);
  });
});
