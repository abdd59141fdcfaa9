import { describe, expect, it } from 'vitest';
import {
  makeHandle,
  paramsFromQuery,
  validateKnownDefinitionRequest,
  validateShapeDefinition,
  validateShapeRequest,
  type Query,
  type TableLookup,
} from './shape-request';
import type { TableSchema } from './table-schema';
import { items } from './test-support/tables';

const special: TableSchema = {
  schema: 'electric_test',
  name: 'issues for abc_0_1',
  primaryKey: ['id'],
  columns: [
    { name: 'id', type: 'uuid' },
    { name: 'has,comma', type: 'text' },
    { name: 'has"quote', type: 'text' },
    { name: 'has space', type: 'text' },
    { name: 'value', type: 'text' },
  ],
};
const lookup: TableLookup = (t) => [items, special].find((x) => x.schema === t.schema && x.name === t.name);

function errors(query: Query): unknown {
  const result = validateShapeRequest(query, lookup);
  if (result.ok) throw new Error('expected a 400');
  expect(result.error.status).toBe(400);
  expect(result.error.body.message).toBe('Invalid request');
  return result.error.body.errors;
}

function accepted(query: Query) {
  const result = validateShapeRequest(query, lookup);
  if (!result.ok) throw new Error(JSON.stringify(result.error.body));
  return result.value;
}

describe('shape request validation', () => {
  it('[SE1] table is name or schema.name, unquoted names fold to lower case, quoted ones keep spaces and case', () => {
    expect(accepted({ table: 'items', offset: '-1' }).definition.table).toBe(items);
    expect(accepted({ table: 'PUBLIC.Items', offset: '-1' }).definition.table).toBe(items);
    expect(accepted({ table: 'electric_test."issues for abc_0_1"', offset: '-1' }).definition.table).toBe(
      special,
    );
  });

  it('[SE1] an unknown table is the 400 Electric writes', () => {
    expect(errors({ table: 'Nope', offset: '-1' })).toEqual({
      table: [
        'Table "public"."nope" does not exist. If the table name contains capitals or special characters you must quote it.',
      ],
    });
    expect(errors({ offset: '-1' })).toEqual({ table: ["can't be blank"] });
    expect(errors({ table: 'a.b.c', offset: '-1' })).toEqual({
      table: ['Invalid relation "a.b.c": expected "table" or "schema.table"'],
    });
    expect(errors({ table: 'bad-name', offset: '-1' })).toEqual({
      table: ['Invalid unquoted identifier contains special characters: bad-name'],
    });
  });

  it('[SE2] columns take quoted identifiers with commas and quotes, come back in table order, and keep the key', () => {
    const def = accepted({
      table: 'electric_test."issues for abc_0_1"',
      offset: '-1',
      columns: '"has""quote",id,"has,comma"',
    }).definition;
    expect(def.columns).toEqual(['id', 'has,comma', 'has"quote']);
    expect(def.explicitColumns).toBe(true);
    expect(accepted({ table: 'items', offset: '-1' }).definition.columns).toHaveLength(items.columns.length);
  });

  it('[SE2] columns without the primary key, unknown columns or bad identifiers are 400s', () => {
    expect(errors({ table: 'items', offset: '-1', columns: 'n' })).toEqual({
      columns: ['The list of columns must include all primary key columns, missing: id'],
    });
    expect(errors({ table: 'items', offset: '-1', columns: 'id,nope,Zap' })).toEqual({
      columns: ['The following columns are not found on the table: nope, zap'],
    });
    expect(errors({ table: 'items', offset: '-1', columns: 'id,' })).toEqual({
      columns: ['Invalid zero-length delimited identifier'],
    });
  });

  it('[SE3] replica is default or full, log full or changes_only; other values are "is invalid"', () => {
    expect(accepted({ table: 'items', offset: '-1', replica: 'full' }).definition.replica).toBe('full');
    expect(accepted({ table: 'items', offset: '-1' }).definition.replica).toBe('default');
    expect(errors({ table: 'items', offset: '-1', replica: 'half', log: 'some' })).toEqual({
      replica: ['is invalid'],
      log: ['is invalid'],
    });
  });

  it('[SE4] params[n] feed $n; a where error is a 400 under "where"', () => {
    const query = {
      table: 'items',
      offset: '-1',
      where: 'n = $1 AND title = $2',
      'params[1]': '5',
      'params[2]': 'x',
    };
    expect(paramsFromQuery(query)).toEqual({ 1: '5', 2: 'x' });
    expect(accepted(query).definition.params).toEqual({ 1: '5', 2: 'x' });
    expect(errors({ table: 'items', offset: '-1', where: '1 x 1' })).toEqual({
      where: ['At location 17: syntax error at or near "x"'],
    });
    expect(errors({ table: 'items', offset: '-1', where: 'n = $1' })).toEqual({
      where: ['At location 4: parameter $1 was not provided'],
    });
  });

  it('[SE5] equal definitions share key and hash whatever their spelling; different ones do not', () => {
    const a = accepted({
      table: 'items',
      offset: '-1',
      where: 'n = $1',
      'params[1]': '5',
      columns: 'title,id',
    }).definition;
    const b = accepted({
      table: 'public.items',
      offset: '-1',
      where: 'n=5',
      columns: 'id,"title"',
    }).definition;
    const c = accepted({ table: 'items', offset: '-1', where: 'n = 6', columns: 'id,title' }).definition;
    const d = accepted({
      table: 'items',
      offset: '-1',
      where: 'n = 5',
      columns: 'id,title',
      replica: 'full',
    }).definition;
    const all = accepted({ table: 'items', offset: '-1' }).definition;
    const allListed = accepted({
      table: 'items',
      offset: '-1',
      columns: items.columns.map((x) => `"${x.name}"`).join(','),
    }).definition;
    expect(a.key).toBe(b.key);
    expect(a.hash).toBe(b.hash);
    expect(a.hash).toMatch(/^\d+$/);
    expect(new Set([a.key, c.key, d.key]).size).toBe(3);
    expect(all.key).not.toBe(allListed.key);
  });

  it('[SE5] a handle is <hash>-<µs>, so a new instance of a definition never reuses one', () => {
    expect(makeHandle('3833821', 1721812114261000n)).toBe('3833821-1721812114261000');
    expect(makeHandle('1', 1n)).not.toBe(makeHandle('1', 2n));
  });

  it('[SE6] offset is required and must parse; handle is required past -1/now and dropped for them', () => {
    expect(errors({ table: 'items' })).toEqual({ offset: ["can't be blank"] });
    expect(errors({ table: 'items', offset: '12' })).toEqual({ offset: ['has invalid format'] });
    expect(errors({ table: 'items', offset: '12_0' })).toEqual({
      handle: ["can't be blank when offset != -1"],
    });
    expect(accepted({ table: 'items', offset: '12_0', handle: 'h-1' }).handle).toBe('h-1');
    expect(accepted({ table: 'items', offset: '-1', handle: 'h-1' }).handle).toBeUndefined();
    expect(accepted({ table: 'items', offset: 'now', handle: 'h-1' }).offset).toBe('now');
  });

  it('[SE6] live is any value but "false", not allowed at -1 or now; live_sse needs live', () => {
    expect(accepted({ table: 'items', offset: '1_0', handle: 'h', live: '' }).live).toBe(true);
    expect(accepted({ table: 'items', offset: '1_0', handle: 'h', live: 'false' }).live).toBe(false);
    expect(errors({ table: 'items', offset: '-1', live: 'true' })).toEqual({
      live: ["can't be true when offset == -1"],
    });
    expect(errors({ table: 'items', offset: 'now', live: 'true' })).toEqual({
      live: ["can't be true when offset is 'now'"],
    });
    expect(errors({ table: 'items', offset: '1_0', handle: 'h', live_sse: 'true' })).toEqual({
      live_sse: ["can't be true unless live is also true"],
    });
    const sse = accepted({
      table: 'items',
      offset: '1_0',
      handle: 'h',
      live: 'true',
      experimental_live_sse: 'true',
      cursor: '42',
    });
    expect([sse.liveSse, sse.cursor]).toEqual([true, '42']);
  });

  it('[SE6] errors come in Electric’s order: malformed params first, then offset, handle, live, then the shape', () => {
    expect(errors({ table: 'nope', replica: 'x' })).toEqual({
      replica: ['is invalid'],
      offset: ["can't be blank"],
    });
    expect(errors({ table: 'nope', offset: '1_0' })).toEqual({
      handle: ["can't be blank when offset != -1"],
    });
  });

  it('[SE53] a request for a cached definition is checked like a new one, its definition reused as is', () => {
    const shape = { table: 'items', where: 'done', columns: 'id,title' };
    const definition = accepted({ ...shape, offset: '-1' }).definition;
    const requests: Query[] = [
      { offset: '12_0', handle: 'h-1', live: 'true', cursor: '7' },
      { offset: '12_0', handle: 'h-1', live: 'true', live_sse: 'true' },
      { offset: '-1', handle: 'h-1' },
      { offset: 'now' },
      {},
      { offset: '' },
      { offset: '12' },
      { offset: '12_0' },
      { offset: '-1', live: 'true' },
      { offset: 'now', live: 'true' },
      { offset: '1_0', handle: 'h', experimental_live_sse: 'true' },
    ];
    for (const request of requests) {
      const known = validateKnownDefinitionRequest({ ...shape, ...request }, definition);
      const full = validateShapeRequest({ ...shape, ...request }, lookup);
      expect(known).toEqual(full);
      if (known.ok) expect(known.value.definition).toBe(definition);
    }
  });

  it('[SE1] the definition alone can be validated, e.g. by the gateway building a shape', () => {
    const result = validateShapeDefinition({ table: 'items', where: 'done' }, lookup);
    expect(result.ok && result.value.where).toEqual({ kind: 'bool-column', column: 'done' });
  });
});
