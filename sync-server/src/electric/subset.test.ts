import { describe, expect, it } from 'vitest';
import { orderBySql, parseOrderBy } from './order-by';
import { validateShapeDefinition, type ShapeDefinition } from './shape-request';
import { namesSubset, subsetFromBody, subsetFromQuery, validateSubset, type SubsetInput } from './subset';
import { quoteIdentifier, type TableSchema } from './table-schema';
import { items } from './test-support/tables';
import { subsetQuery } from './engine/subset-query';

const withJson: TableSchema = { ...items, columns: [...items.columns, { name: 'doc', type: 'json' }] };

function definition(input: { columns?: string; where?: string } = {}): ShapeDefinition {
  const result = validateShapeDefinition({ table: 'items', ...input }, () => withJson);
  if (!result.ok) throw new Error(JSON.stringify(result.error.body));
  return result.value;
}

function errors(input: SubsetInput, shape = definition()): unknown {
  const result = validateSubset(input, shape);
  if (result.ok) throw new Error('expected the subset to be refused');
  return result.errors;
}

describe('subset params (SE38)', () => {
  it('[SE38] a GET names a subset with subset__* params; the client-side *_expr params alone do not', () => {
    expect(subsetFromQuery({ table: 'items', offset: '-1' })).toBeUndefined();
    expect(subsetFromQuery({ subset__where_expr: '{}' })).toBeUndefined();
    expect(namesSubset({ table: 'items', offset: '-1', subset__where_expr: '{}' })).toBe(false);
    expect(namesSubset({ table: 'items', subset__limit: '1' })).toBe(true);
    expect(
      subsetFromQuery({
        subset__where: 'n > $1',
        subset__params: '{"1":"3"}',
        subset__limit: '5',
        subset__offset: '2',
        subset__order_by: 'n desc',
      }),
    ).toEqual({ where: 'n > $1', params: '{"1":"3"}', limit: '5', offset: '2', orderBy: 'n desc' });
  });

  it('[SE38] a POST body holds the fields at the top or under "subset"; anything but an object is refused', () => {
    const fields = { where: 'n = 1', params: { '1': 2 }, limit: 3, offset: 0, order_by: 'n' };
    const expected = { where: 'n = 1', params: { '1': 2 }, limit: 3, offset: 0, orderBy: 'n' };
    expect(subsetFromBody(fields)).toEqual({ ok: true, value: expected });
    expect(subsetFromBody({ subset: fields })).toEqual({ ok: true, value: expected });
    for (const body of [null, [1], 'text', 3]) {
      expect(subsetFromBody(body)).toEqual({ ok: false, errors: { body: ['must be a JSON object'] } });
    }
  });

  it('[SE38] limit and offset are whole numbers, limit above 0, and either needs order_by', () => {
    expect(errors({ limit: '3' })).toEqual({
      order_by: ['order_by is required when limit or offset is present'],
    });
    expect(errors({ offset: 2 })).toEqual({
      order_by: ['order_by is required when limit or offset is present'],
    });
    expect(errors({ limit: 0, orderBy: 'n' })).toEqual({ limit: ['must be greater than 0'] });
    expect(errors({ limit: '1.5', orderBy: 'n' })).toEqual({ limit: ['is invalid'] });
    expect(errors({ limit: 2.5, orderBy: 'n' })).toEqual({ limit: ['is invalid'] });
    expect(errors({ offset: '-2', orderBy: 'n' })).toEqual({
      offset: ['must be greater than or equal to 0'],
    });
    expect(errors({ limit: 'x', offset: 'y', orderBy: 'n' })).toEqual({
      limit: ['is invalid'],
      offset: ['is invalid'],
    });
  });

  it('[SE38] params are a JSON object (text on a GET) of strings or numbers', () => {
    expect(errors({ where: 'n = $1', params: '{' })).toEqual({ params: ['params must be valid JSON'] });
    expect(errors({ where: 'n = $1', params: '"1"' })).toEqual({ params: ['params must be a JSON object'] });
    expect(errors({ where: 'n = $1', params: { '1': { nested: true } } })).toEqual({
      params: ['params: the value of 1 must be a string or a number'],
    });
    const ok = validateSubset({ where: 'n = $1 and title = $2', params: { '1': 7, '2': 'x' } }, definition());
    expect(ok.ok).toBe(true);
  });

  it('[SE38] the where clause is checked like a shape where (SE7-SE11), params included', () => {
    expect(errors({ where: 'n = $2', params: '{"2":"1"}' })).toEqual({
      where: [expect.stringContaining('$1')],
    });
    expect(errors({ where: 'nope = 1' })).toEqual({ where: ['At location 0: unknown reference nope'] });
    expect(errors({ where: '1 x 1' })).toEqual({
      where: [expect.stringMatching(/^At location \d+: syntax error/)],
    });
  });

  it('[SE38] a shape that names its columns lets a subset filter and order only by them', () => {
    const narrow = definition({ columns: 'id,n' });
    expect(errors({ where: "title = 'a'" }, narrow)).toEqual({
      where: ['the subset may not refer to the column(s) title'],
    });
    expect(errors({ orderBy: 'title' }, narrow)).toEqual({
      order_by: ['At location 0: unknown reference title'],
    });
    expect(validateSubset({ where: 'n > 1', orderBy: 'id' }, narrow).ok).toBe(true);
  });

  it('[SE38] queryable_columns, when given, is what a subset may name instead; it must name known columns', () => {
    const narrow = definition({ columns: 'id,n' });
    expect(validateSubset({ where: "title = 'a'", queryableColumns: 'title' }, narrow).ok).toBe(true);
    expect(errors({ where: 'n = 1', queryableColumns: 'title' }, narrow)).toEqual({
      where: ['the subset may not refer to the column(s) n'],
    });
    expect(errors({ where: 'n = 1', queryableColumns: 'nope,"Has Space"' })).toEqual({
      queryable_columns: ['The following columns are not found on the table: nope'],
    });
    expect(subsetFromQuery({ subset__where: 'n = 1', queryable_columns: 'n' })).toEqual({
      where: 'n = 1',
      queryableColumns: 'n',
    });
    expect(subsetFromBody({ where: 'n = 1' }, { queryable_columns: 'n' })).toEqual({
      ok: true,
      value: { where: 'n = 1', queryableColumns: 'n' },
    });
  });
});

describe('order_by (SE38)', () => {
  it('[SE38] parses column terms with direction and NULLS, quoted names kept exact', () => {
    expect(parseOrderBy('n DESC NULLS FIRST, "Has Space", title asc nulls last', items)).toEqual([
      { column: 'n', descending: true, nulls: 'first' },
      { column: 'Has Space', descending: false, nulls: undefined },
      { column: 'title', descending: false, nulls: 'last' },
    ]);
  });

  it('[SE38] renders only the parsed names, quoted again', () => {
    const terms = parseOrderBy('"Has Space" desc, n nulls first', items);
    expect(orderBySql(terms, quoteIdentifier)).toBe('"Has Space" desc, "n" nulls first');
  });

  it('[SE38] refuses anything but plain columns, unknown names, unorderable types and trailing clauses', () => {
    const message = (text: string) => {
      try {
        parseOrderBy(text, withJson);
      } catch (error) {
        return (error as Error).message;
      }
      return 'accepted';
    };
    expect(message('lower(title)')).toBe('At location 0: only columns can be ordered by, not FuncCall');
    expect(message('n + 1')).toBe('At location 2: only columns can be ordered by, not A_Expr');
    expect(message('items.n')).toBe('At location 0: qualified column references are not supported');
    expect(message('nope')).toBe('At location 0: unknown reference nope');
    expect(message('doc')).toBe('At location 0: column doc of type json cannot be ordered');
    expect(message('n using <')).toBe('At location 0: ORDER BY ... USING is not supported');
    expect(message('n limit 1')).toBe('malformed order_by ending with SQL clauses');
    expect(message('n; drop table items')).toBe('unescaped ";" causing statement split');
    expect(message('n desc desc')).toMatch(/^At location \d+: syntax error at or near "desc"$/);
  });
});

describe('the subset query (SE38)', () => {
  it('[SE38] selects the shape columns and those both clauses read, prefiltered by both, in the subset order', () => {
    const shape = definition({ columns: 'id,n,title', where: 'n = 1' });
    const checked = validateSubset({ where: "title in ('a', 'b')", orderBy: 'title desc' }, shape);
    if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
    const query = subsetQuery(shape, checked.value);
    expect(query.columns).toEqual(['id', 'n', 'title']);
    expect(query.orderBy).toBe('"title" desc');
    // The narrower conjunct prefilters: n = 1 (one key) over title in (a, b) (two).
    expect(query.where).toBe('"n" = any($1::int8[])');
  });

  it('[SE38] a changes_only shape still reads its table for a subset', () => {
    const result = validateShapeDefinition({ table: 'items', log: 'changes_only' }, () => withJson);
    if (!result.ok) throw new Error('invalid');
    const query = subsetQuery(result.value, { where: null, orderBy: [], limit: undefined, offset: 0 });
    expect(query.where).toBeUndefined();
  });
});
