// The where evaluator's scalar functions against real Postgres (SPEC.md SE8): every expression's value
// on every row of a seeded table, clauses' three-valued results, and the case mapping of every code
// point. Rows are read as the text Postgres prints (SN5's display settings), as the engine reads them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { freshDatabase, type FreshDatabase } from '../../../tests/support/postgres';
import { DISPLAY_SETTINGS } from './snapshot/display-settings';
import { lowerText, upperText } from './functions';
import { compileWhere } from './where-eval';
import { parseWhere, type Params } from './where-parse';
import type { Row, TableSchema } from './table-schema';
import { seededRandom } from './test-support/random';

const table: TableSchema = {
  schema: 'public',
  name: 'fx',
  primaryKey: ['id'],
  columns: [
    { name: 'id', type: 'int4' },
    { name: 't', type: 'text' },
    { name: 'v', type: 'varchar' },
    { name: 'c', type: 'bpchar' },
    { name: 'nm', type: 'name' },
    { name: 'i4', type: 'int4' },
    { name: 'i8', type: 'int8' },
    { name: 'num', type: 'numeric' },
    { name: 'f4', type: 'float4' },
    { name: 'f8', type: 'float8' },
    { name: 'b', type: 'bool' },
    { name: 'u', type: 'uuid' },
    { name: 'tz', type: 'timestamptz' },
    { name: 'd', type: 'date' },
  ],
};

const DDL = `create table fx (id int primary key, t text, v varchar(100), c char(4), nm name, i4 int4, i8 int8,
  num numeric, f4 float4, f8 float8, b bool, u uuid, tz timestamptz, d date)`;

const TEXTS = [
  null,
  '',
  'Hello',
  'hello',
  'HELLO',
  'ab  ',
  ' x',
  'x',
  'y',
  'xAbCx',
  'İstanbul',
  'straße',
  'ΑΣ',
  'ᾳ ῳ',
  'ǅ',
  '😀é',
  "it's",
  'a\nb',
  '%_',
  'x'.repeat(70),
  'é'.repeat(40),
];
const POOLS: Record<string, readonly (string | null)[]> = {
  t: TEXTS,
  v: TEXTS,
  c: [null, '', 'ab', 'AB  ', 'x', 'Ab '],
  nm: [null, 'Name', 'name', 'x', 'é'.repeat(31)],
  i4: [null, '0', '1', '-5', '3', '10'],
  i8: [null, '0', '9007199254740993', '-1', '3'],
  num: [null, '1.50', '0', '-2.25', 'NaN', '3', '1e-7'],
  f4: [null, '1.1', '0', '-0.5', '3', '1e30'],
  f8: [null, '1.1', '0.5', '3', '-1e-300'],
  b: [null, 'true', 'false'],
  u: [null, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '00000000-0000-0000-0000-000000000000'],
  tz: [null, '2024-01-01 10:00:00+00', '2024-01-01 12:30:00.5+02'],
  d: [null, '2024-01-01', '2023-12-31'],
};
const ROWS = 160;

/** Each is compared, row by row, with the value Postgres computes for it. */
const EXPRESSIONS = [
  'lower(t)',
  'upper(t)',
  'upper(v)',
  'length(t)',
  'length(v)',
  'length(c)',
  'lower(c)',
  'upper(c::text)',
  'lower(nm)',
  'length(nm)',
  'concat(t, v)',
  "concat(c, '|', c::text, '|', c::varchar, '|')",
  "concat(i4, '/', i8, '/', num, '/', f4, '/', f8, '/', b, '/', u, '/', tz, '/', d, '/', nm)",
  'concat(NULL)',
  "concat(t, NULL, 1, true, 'x')",
  'concat(length(t), lower(v), coalesce(i4, i8))',
  'coalesce(t, v)',
  'coalesce(v, t)',
  'coalesce(c, t)',
  'coalesce(t, c)',
  'coalesce(c, v)',
  'coalesce(nm, t)',
  'coalesce(i4, i8)',
  'coalesce(i4, num)',
  'coalesce(num, f4)',
  'coalesce(f4, f8)',
  'coalesce(f4, 1.1)',
  'coalesce(i4, num, f8, 0)',
  'coalesce(tz, d)',
  'coalesce(d, tz)',
  'coalesce(b, false)',
  "coalesce(u, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11')",
  "lower(coalesce(t, v, ''))",
  'length(coalesce(c, v))',
  'upper(concat(c, t))',
];

/** Each is compared, row by row, as TRUE, FALSE or NULL. */
const CLAUSES: readonly { where: string; params?: Params }[] = [
  { where: "lower(coalesce(t, '')) LIKE '%abc%'" },
  { where: 'length(t) > 3' },
  { where: 'upper(t) = $1', params: { 1: 'HELLO' } },
  { where: "lower(t) IN ('x', 'y', 'hello')" },
  { where: "lower(t) NOT IN ('x', NULL)" },
  { where: "concat(t, '-', v) = 'x-y'" },
  { where: 'coalesce(b, false)' },
  { where: 'NOT coalesce(b, NULL)' },
  { where: 'coalesce(i4, 0) = 0 OR length(v) IS NULL' },
  { where: "concat(t, i4) IN ('x1', 'hello3')" },
  { where: 't = lower($1)', params: { 1: 'HELLO' } },
  { where: 'lower(t) = lower(v) AND upper(t) <> upper(v)' },
  { where: 'length(c) = length(v)' },
  { where: "c::text = 'ab' AND c::varchar LIKE 'ab'" },
  { where: 'coalesce(c, t) = coalesce(t, c)' },
  { where: 'upper(t) = ANY($1)', params: { 1: '{HELLO,X,"ΑΣ"}' } },
  { where: 'length(t) BETWEEN 2 AND 5' },
  { where: 'coalesce(f4, 1.1) = 1.1' },
  { where: "coalesce(d, tz) > '2024-01-01'" },
];

/** Values as the text Postgres prints them: no type parsing in the client. */
const RAW_TEXT = { getTypeParser: () => (text: string) => text } as unknown as pg.CustomTypesConfig;

let db: FreshDatabase;
let client: pg.PoolClient;
let rows: Row[];

beforeAll(async () => {
  db = await freshDatabase();
  client = await db.pool.connect();
  for (const [name, value] of DISPLAY_SETTINGS) await client.query(`set ${name} = '${value}'`);
  await client.query(DDL);
  const rand = seededRandom(8);
  const columns = Object.keys(POOLS);
  for (let id = 1; id <= ROWS; id++) {
    const values = columns.map((c) => {
      const pool = POOLS[c] as readonly (string | null)[];
      return pool[Math.floor(rand() * pool.length)] ?? null;
    });
    await client.query(
      `insert into fx (id, ${columns.join(', ')}) values ($1, ${columns.map((_, i) => `$${i + 2}`).join(', ')})`,
      [id, ...values],
    );
  }
  rows = (await client.query<Row>({ text: 'select * from fx order by id', types: RAW_TEXT })).rows;
}, 120_000);

afterAll(async () => {
  client?.release();
  await db?.drop();
});

describe('where functions against Postgres', () => {
  it('[SE8] lower(), upper(), length(), concat() and coalesce() compute what Postgres computes, row by row', async () => {
    const select = EXPRESSIONS.map((e, i) => `${e} as e${i}`).join(', ');
    const computed = (
      await client.query<Row>({ text: `select id, ${select} from fx order by id`, types: RAW_TEXT })
    ).rows;
    for (const [r, row] of rows.entries()) {
      for (const [i, expression] of EXPRESSIONS.entries()) {
        const expected = computed[r]?.[`e${i}`] ?? null;
        // Postgres' text of the value, read back as the expression's type (SE4: a param is typed by its context).
        const where =
          expected === null ? `(${expression}) IS NULL` : `(${expression}) IS NOT DISTINCT FROM $1`;
        const truth = compileWhere(parseWhere(where, table, expected === null ? {} : { 1: expected }))(row);
        expect(
          truth,
          `${expression} on row ${JSON.stringify(row)}: Postgres gives ${JSON.stringify(expected)}`,
        ).toBe(true);
      }
    }
  });

  it('[SE8] clauses with functions are TRUE, FALSE or NULL exactly where Postgres says so', async () => {
    for (const { where, params = {} } of CLAUSES) {
      const values = Object.keys(params)
        .sort()
        .map((k) => params[k]);
      const expected = (
        await client.query<{ r: boolean | null }>(`select (${where}) as r from fx order by id`, values)
      ).rows.map((r) => r.r);
      const predicate = compileWhere(parseWhere(where, table, params));
      expect(
        rows.map((row) => predicate(row)),
        where,
      ).toEqual(expected);
    }
  });

  it("[SE8] lower() and upper() agree with Postgres' case mapping on every code point it maps", async () => {
    const mapped = (
      await client.query<{ c: number; l: string; u: string }>(
        `select c, lower(chr(c)) as l, upper(chr(c)) as u from generate_series(1, 1114111) c
         where c not between 55296 and 57343 and (lower(chr(c)) <> chr(c) or upper(chr(c)) <> chr(c))`,
      )
    ).rows;
    const byCodePoint = new Map(mapped.map((m) => [m.c, m]));
    expect(mapped.length).toBeGreaterThan(2000);
    for (const { c, l, u } of mapped) {
      const s = String.fromCodePoint(c);
      expect([lowerText(s), upperText(s)], `U+${c.toString(16)}`).toEqual([l, u]);
    }
    // Where only JS maps, the character or its partner is newer than the database's Unicode tables:
    // then both map one code point to one code point and back, never a full (multi-character) mapping.
    for (let c = 1; c <= 0x10ffff; c++) {
      if ((c >= 0xd800 && c <= 0xdfff) || byCodePoint.has(c)) continue;
      const s = String.fromCodePoint(c);
      for (const [map, back] of [
        [lowerText, upperText],
        [upperText, lowerText],
      ] as const) {
        const other = map(s);
        if (other === s) continue;
        expect([...other], `U+${c.toString(16)}`).toHaveLength(1);
        expect(back(other), `U+${c.toString(16)}`).toBe(s);
      }
    }
  });
});
