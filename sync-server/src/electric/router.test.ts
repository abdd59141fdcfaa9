import { describe, expect, it } from 'vitest';
import { indexAtoms, ShapeRouter, type Routed } from './router';
import { parseWhere } from './where-parse';
import { compileWhere } from './where-eval';
import type { Row } from './table-schema';
import { items } from './test-support/tables';

const table = { schema: 'public', name: 'items' };
const row = (n: string | null, title: string | null = 'a', done: string | null = 'f'): Row => ({
  id: '1',
  n,
  title,
  done,
  price: '1',
});

function routerWith(shapes: Record<string, string | null>): ShapeRouter {
  const router = new ShapeRouter();
  for (const [id, where] of Object.entries(shapes))
    router.add(id, table, where === null ? null : parseWhere(where, items));
  return router;
}

const sorted = (routes: Routed[]): Routed[] => [...routes].sort((a, b) => a.shapeId.localeCompare(b.shapeId));

describe('shape router', () => {
  it('[SE18] inserts and deletes go to the shapes whose where the row satisfies', () => {
    const router = routerWith({ one: 'n = 1', two: 'n = 2', all: null });
    expect(sorted(router.route(table, null, row('1')))).toEqual([
      { shapeId: 'all', kind: 'insert' },
      { shapeId: 'one', kind: 'insert' },
    ]);
    expect(sorted(router.route(table, row('2'), null))).toEqual([
      { shapeId: 'all', kind: 'delete' },
      { shapeId: 'two', kind: 'delete' },
    ]);
  });

  it('[SE18] an update that leaves a shape is a move-out, one that enters is a move-in, one that stays is an update', () => {
    const router = routerWith({ one: 'n = 1', two: 'n = 2', low: 'n < 5', big: 'n > 100' });
    expect(sorted(router.route(table, row('1'), row('2')))).toEqual([
      { shapeId: 'low', kind: 'update' },
      { shapeId: 'one', kind: 'move-out' },
      { shapeId: 'two', kind: 'move-in' },
    ]);
    expect(router.route(table, row('7'), row('8'))).toEqual([]);
  });

  it('[SE18] other tables and removed shapes receive nothing', () => {
    const router = routerWith({ one: 'n = 1' });
    expect(router.route({ schema: 'public', name: 'other' }, null, row('1'))).toEqual([]);
    expect(router.remove('one')).toBe(true);
    expect(router.remove('one')).toBe(false);
    expect(router.route(table, null, row('1'))).toEqual([]);
    expect(router.size).toBe(0);
  });

  it('[SE19] col = const, IN, = ANY, bool columns and AND/OR of them are indexed; other clauses fall back', () => {
    const atoms = (where: string): unknown =>
      indexAtoms(parseWhere(where, items, where.includes('$1') ? { 1: '{1,2}' } : {}));
    expect(atoms('n = 1')).toEqual([{ column: 'n', type: 'int4', family: 'int', keys: ['1'] }]);
    expect(atoms("title IN ('a', 'b', NULL)")).toEqual([
      { column: 'title', type: 'text', family: 'text', keys: ['a', 'b'] },
    ]);
    expect(atoms('n = ANY($1)')).toEqual([{ column: 'n', type: 'int4', family: 'int', keys: ['1', '2'] }]);
    expect(atoms('done')).toEqual([{ column: 'done', type: 'bool', family: 'bool', keys: ['t'] }]);
    expect(atoms("n IN (1, 2, 3) AND title = 'x' AND n > 0")).toEqual([
      { column: 'title', type: 'text', family: 'text', keys: ['x'] },
    ]);
    expect(atoms("n = 1 OR title = 'x'")).toHaveLength(2);
    expect(atoms('n = NULL')).toEqual([{ column: 'n', type: 'int4', family: 'int', keys: [] }]);
    expect(atoms("n = 1 OR title LIKE 'x%'")).toBeNull();
    expect(atoms('n > 1')).toBeNull();
    expect(atoms('n <> 1')).toBeNull();
    expect(atoms('n NOT IN (1)')).toBeNull();
    expect(atoms('price = 1.50')).toEqual([
      { column: 'price', type: 'numeric', family: 'numeric', keys: ['1.5'] },
    ]);
  });

  it("[SE19] a function of a column is no index atom: lower(x) = 'a' is not x = 'a'", () => {
    const atoms = (where: string): unknown =>
      indexAtoms(parseWhere(where, items, where.includes('$1') ? { 1: '{A,B}' } : {}));
    expect(atoms("lower(title) = 'a'")).toBeNull();
    expect(atoms("'a' = upper(title)")).toBeNull();
    expect(atoms("lower(title) IN ('a', 'b')")).toBeNull();
    expect(atoms('upper(title) = ANY($1)')).toBeNull();
    expect(atoms('coalesce(n, 0) = 1')).toBeNull();
    expect(atoms('coalesce(done, false)')).toBeNull();
    expect(atoms("concat(title) = 'a' OR title = 'b'")).toBeNull();
    expect(atoms("lower(title) = 'a' AND n = 1")).toEqual([
      { column: 'n', type: 'int4', family: 'int', keys: ['1'] },
    ]);
    // a call of constants is folded into a constant, so the column stays indexed
    expect(atoms("title = lower('A')")).toEqual([
      { column: 'title', type: 'text', family: 'text', keys: ['a'] },
    ]);

    const router = routerWith({ lowered: "lower(title) = 'a'", exact: "title = 'a'" });
    expect(router.route(table, null, row('1', 'A'))).toEqual([{ shapeId: 'lowered', kind: 'insert' }]);
    expect(sorted(router.route(table, row('1', 'A'), row('1', 'a')))).toEqual([
      { shapeId: 'exact', kind: 'move-in' },
      { shapeId: 'lowered', kind: 'update' },
    ]);
  });

  it('[SE19] index keys are canonical: 1.50 in a row finds the shape written with 1.5, and uuid case does not matter', () => {
    const router = new ShapeRouter();
    router.add('p', table, parseWhere('price = 1.5', items));
    router.add('u', table, parseWhere("uid = 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'", items));
    expect(router.route(table, null, { ...row('1'), price: '1.50' })).toEqual([
      { shapeId: 'p', kind: 'insert' },
    ]);
    expect(
      router.route(table, null, { ...row('1'), price: '2', uid: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11' }),
    ).toEqual([{ shapeId: 'u', kind: 'insert' }]);
  });

  it('[SE19] routing equals evaluating every shape, on a random workload over indexed and fallback clauses', () => {
    const random = mulberry32(7);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
    const values = ['1', '2', '3', null];
    const titles = ['a', 'b', 'ab', 'A', null];
    const templates = [
      () => `n = ${pick(['1', '2', '3'])}`,
      () => `n IN (${pick(['1', '2'])}, ${pick(['3', 'NULL'])})`,
      () => `title = '${pick(['a', 'b'])}' AND n = ${pick(['1', '2'])}`,
      () => `n = ${pick(['1', '2'])} OR title = '${pick(['a', 'ab'])}'`,
      () => `title LIKE '${pick(['a%', '%b'])}'`,
      () => `n > ${pick(['1', '2'])}`,
      () => 'done',
      () => `n = ANY('{${pick(['1', '2'])},3}')`,
      () => `NOT (n = ${pick(['1', '2'])})`,
      () => `lower(title) = '${pick(['a', 'ab'])}'`,
      () => `concat(title, n) IN ('a1', '${pick(['b', 'ab2'])}')`,
      () => `coalesce(n, 0) = ${pick(['0', '1'])} AND length(title) = ${pick(['1', '2'])}`,
    ];
    const router = new ShapeRouter();
    const predicates = new Map<string, ReturnType<typeof compileWhere>>();
    for (let i = 0; i < 200; i++) {
      const expr = parseWhere(pick(templates)(), items);
      router.add(`s${i}`, table, expr);
      predicates.set(`s${i}`, compileWhere(expr));
    }
    const randomRow = (): Row => row(pick(values), pick(titles), pick(['t', 'f', null]));
    for (let i = 0; i < 300; i++) {
      const op = pick(['insert', 'update', 'delete'] as const);
      const oldRow = op === 'insert' ? null : randomRow();
      const newRow = op === 'delete' ? null : randomRow();
      const expected: Routed[] = [];
      for (const [shapeId, predicate] of predicates) {
        const inOld = oldRow !== null && predicate(oldRow) === true;
        const inNew = newRow !== null && predicate(newRow) === true;
        const kind =
          inOld && inNew
            ? 'update'
            : inOld
              ? op === 'update'
                ? 'move-out'
                : 'delete'
              : inNew
                ? op === 'update'
                  ? 'move-in'
                  : 'insert'
                : undefined;
        if (kind) expected.push({ shapeId, kind });
      }
      expect(sorted(router.route(table, oldRow, newRow))).toEqual(sorted(expected));
    }
  });

  it('[SE19] a change is checked against only the indexed shapes its values select', () => {
    const router = new ShapeRouter();
    let evaluated = 0;
    for (let i = 0; i < 1000; i++) router.add(`s${i}`, table, parseWhere(`n = ${i}`, items));
    // Count evaluations through a fallback shape whose clause reads `n` on every routed row.
    const counting = new Proxy(row('5'), {
      get(target, key) {
        if (key === 'n') evaluated++;
        return Reflect.get(target, key) as unknown;
      },
    });
    expect(router.route(table, null, counting)).toEqual([{ shapeId: 's5', kind: 'insert' }]);
    // one read to compute the index key, one to evaluate the single candidate
    expect(evaluated).toBe(2);
  });
});

/** A small seeded PRNG so the random workload is the same on every run. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
