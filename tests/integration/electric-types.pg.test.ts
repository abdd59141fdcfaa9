// The data-type matrix through the official clients (SPEC.md SE22, SE37, SN5): every value of every
// column reaches `ShapeStream` as the text Postgres prints for it (checked raw and as the client's
// parsed values) and lands in a PGlite replica through `syncShapesToTables` as the same value, through
// the snapshot and through live inserts and updates.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { ShapeStream, type Row } from '@electric-sql/client';
import { displaySettingsOptions } from '@hearth/sync-server/electric/snapshot/display-settings';
import {
  dropTestSlot,
  removeDataDir,
  startTestShapeServer,
  type TestShapeServer,
} from '@hearth/sync-server/electric/engine/testing';
import { freshDatabase, type FreshDatabase } from '../support/postgres';
import {
  ClientErrors,
  localUntil,
  openReplica,
  quoteColumnNames,
  shapeOf,
  shapeUntil,
  type Replica,
} from '../support/electric/clients';

interface Column {
  readonly name: string;
  readonly type: string;
  /** Element type of an array column. */
  readonly element?: string;
}

const COLUMNS: readonly Column[] = [
  { name: 'i2', type: 'int2' },
  { name: 'i4', type: 'int4' },
  { name: 'i8', type: 'int8' },
  { name: 'f4', type: 'float4' },
  { name: 'f8', type: 'float8' },
  { name: 'num', type: 'numeric' },
  { name: 'num_s', type: 'numeric(20,4)' },
  { name: 'b', type: 'bool' },
  { name: 't', type: 'text' },
  { name: 'vc', type: 'varchar(40)' },
  { name: 'ch', type: 'char(6)' },
  { name: 'j', type: 'json' },
  { name: 'jb', type: 'jsonb' },
  { name: 'i4a', type: 'int4[]', element: 'int4' },
  { name: 'ta', type: 'text[]', element: 'text' },
  { name: 'i4_2d', type: 'int4[][]', element: 'int4' },
  { name: 't_2d', type: 'text[][]', element: 'text' },
  { name: 'f8a', type: 'float8[]', element: 'float8' },
  { name: 'i8a', type: 'int8[]', element: 'int8' },
  { name: 'jba', type: 'jsonb[]', element: 'jsonb' },
  { name: 'm', type: 'mood' },
  { name: 'u', type: 'uuid' },
  { name: 'tstz', type: 'timestamptz' },
  { name: 'ts', type: 'timestamp' },
  { name: 'd', type: 'date' },
  { name: 'tm', type: 'time' },
  { name: 'iv', type: 'interval' },
  { name: 'by', type: 'bytea' },
  { name: 'value', type: 'text' },
  { name: 'key', type: 'int8' },
  { name: 'a, b', type: 'text' },
  { name: 'with space', type: 'text' },
  { name: 'say "hi"', type: 'text' },
  { name: 'CamelCase', type: 'text' },
  { name: 'ünï 😀', type: 'text' },
];

const quote = (name: string): string => pg.escapeIdentifier(name);
const baseType = (c: Column): string => c.type.replace(/\(.*\)$/, '');

const DDL = `
  create type mood as enum ('sad', 'ok', 'happy', 'it''s "complicated"', 'ünï 😀, {x}');
  create table matrix (id int primary key, ${COLUMNS.map((c) => `${quote(c.name)} ${c.type}`).join(', ')});
`;

/**
 * Value sets, as SQL literals; a missing column is NULL. Arrays whose elements reach pglite-sync as
 * strings hold their NULL first: pglite-sync 0.6.1 sizes such an array by its first element's type
 * and throws on a NULL after a string.
 */
const SETS: Record<string, Partial<Record<string, string>>> = {
  extremes: {
    i2: '32767',
    i4: '2147483647',
    i8: '9223372036854775807',
    f4: `'NaN'`,
    f8: `'Infinity'`,
    num: `'123456789012345678901234567890.123456789012345'`,
    num_s: `'-12345.6789'`,
    b: 'true',
    t: `E'it''s "quoted" \\\\ back\\\\slash\\nnew line\\ttab\\r\\n😀 ünïcödé 中文 עברית'`,
    vc: `'varchar ✓ 👍🏽'`,
    ch: `'ab'`,
    j: `'{"a": [1, 2.5, "x"],  "nested": {"k": null, "é": "😀", "q": "say \\"hi\\""}}'`,
    jb: `'{"b": 1, "a": [true, false, null], "deep": {"x": [{"y": "\\u00e9\\n"}]}}'`,
    i4a: `'{1,NULL,-3}'`,
    ta: `'{NULL,"a,b","say \\"hi\\"","back\\\\slash","NULL","","{}"," spaced ","😀",a}'`,
    i4_2d: `'{{1,2},{NULL,4}}'`,
    t_2d: `'{{"a","b,c"},{NULL,"\\"q\\""}}'`,
    f8a: `'{NULL,NaN,Infinity,-Infinity,1.5}'`,
    i8a: `'{9223372036854775807,-9223372036854775808,NULL}'`,
    jba: `array[null, '{"a": 1}', 'null', '"s"']::jsonb[]`,
    m: `'happy'`,
    u: `'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'`,
    tstz: `'2024-02-29 23:59:59.123456+05:30'`,
    ts: `'2024-02-29 23:59:59.999999'`,
    d: `'2024-02-29'`,
    tm: `'23:59:59.999999'`,
    iv: `'1 year 2 mons 3 days 04:05:06.789'`,
    by: `'\\x00ff10'::bytea`,
    value: `'v'`,
    key: '9007199254740993',
    'a, b': `'comma, column'`,
    'with space': `'space column'`,
    'say "hi"': `'quote column'`,
    CamelCase: `'capitals'`,
    'ünï 😀': `'unicode column'`,
  },
  opposites: {
    i2: '-32768',
    i4: '-2147483648',
    i8: '-9223372036854775808',
    f4: `'-Infinity'`,
    f8: `'NaN'`,
    num: `'NaN'`,
    num_s: '0',
    b: 'false',
    t: `''`,
    vc: `''`,
    ch: `'abcdef'`,
    j: `'null'`,
    jb: `'[]'`,
    i4a: `'{}'`,
    ta: `'{}'`,
    i4_2d: `'{{NULL}}'`,
    t_2d: `'{{"",NULL},{"x y","z"}}'`,
    f8a: `'{}'`,
    i8a: `'{}'`,
    jba: `'{}'`,
    m: `'it''s "complicated"'`,
    u: `'00000000-0000-0000-0000-000000000000'`,
    tstz: `'infinity'`,
    ts: `'-infinity'`,
    d: `'0044-03-15 BC'`,
    tm: `'00:00:00'`,
    iv: `'-1 days +02:00:00'`,
    by: `''::bytea`,
    value: `''`,
    key: '-1',
    'a, b': `''`,
    'with space': `' '`,
    'say "hi"': `'"'`,
    CamelCase: `'NULL'`,
    'ünï 😀': `'\\'`,
  },
  precise: {
    i2: '0',
    i4: '0',
    i8: '9007199254740993',
    f4: '1.1',
    f8: '0.30000000000000004',
    num: `'-0.000000000000000000000000000001'`,
    num_s: `'NaN'`,
    t: `'NULL'`,
    vc: `'{"looks": "like json"}'`,
    ch: `' x'`,
    j: `'"just a string"'`,
    jb: `'{"big": 1.5e300, "neg": -0.25, "esc": "\\u2028\\tx"}'`,
    i4a: `'{NULL}'`,
    ta: `'{NULL,NULL}'`,
    i4_2d: `'{{-1,-2,-3},{4,5,6}}'`,
    t_2d: `'{{"{","}"},{",","\\\\"}}'`,
    f8a: `'{0.1,-0,1e-300,1.7976931348623157e308}'`,
    i8a: `'{9007199254740993}'`,
    jba: `array['[1, [2, [3]]]', '{"é": "😀"}']::jsonb[]`,
    m: `'ünï 😀, {x}'`,
    u: `'{A0EEBC99-9C0B4EF8-BB6D6BB9-BD380A11}'`,
    tstz: `'1970-01-01 00:00:00+00'`,
    ts: `'0001-01-01 00:00:00 BC'`,
    d: `'infinity'`,
    tm: `'12:00:00.5'`,
    iv: `'P1Y2M3DT4H5M6.000007S'`,
    by: `decode('00', 'hex') || convert_to('ünï\\', 'UTF8')`,
    value: `'{"value": "not an object"}'`,
    key: '9223372036854775807',
    'a, b': `'a,b'`,
    'with space': `'x'`,
    'say "hi"': `'\\"'`,
    CamelCase: `'Camel'`,
    'ünï 😀': `'😀'`,
  },
  nulls: {},
};

const SET_NAMES = Object.keys(SETS);
/** A row whose `t` names the phase just finished (written last, so its arrival means the phase is in). */
const MARKER = 999;

function insertSql(id: number, set: string): string {
  const values = SETS[set] as Partial<Record<string, string>>;
  return `insert into matrix values (${id}, ${COLUMNS.map((c) => values[c.name] ?? 'null').join(', ')})`;
}

function updateSql(id: number, set: string): string {
  const values = SETS[set] as Partial<Record<string, string>>;
  return `update matrix set ${COLUMNS.map((c) => `${quote(c.name)} = ${values[c.name] ?? 'null'}`).join(', ')} where id = ${id}`;
}

let db: FreshDatabase;
let server: TestShapeServer;
/** Reads values as the text Postgres prints, under the display settings of the protocol doc §1. */
let textPool: pg.Pool;
let local: Replica;

beforeAll(async () => {
  db = await freshDatabase({ migrate: true });
  await db.pool.query(DDL);
  await db.pool.query(SET_NAMES.map((set, i) => insertSql(i + 1, set)).join('; '));
  await db.pool.query(`insert into matrix (id) values (${MARKER})`);
  textPool = new pg.Pool({
    connectionString: db.url,
    max: 2,
    options: displaySettingsOptions(),
    types: { getTypeParser: () => (text: string) => text },
  });
  server = await startTestShapeServer({ db, config: { longPollMs: 5000 } });
  local = await openReplica();
  await local.exec(DDL);
}, 120_000);

afterAll(async () => {
  await local?.close();
  await server?.stop();
  await textPool?.end();
  await dropTestSlot(db);
  await db.drop();
  if (server) removeDataDir(server.dataDir);
});

type Raw = string | null | Raw[];

/** Postgres' text of every column; arrays as nested lists of each element's text (NULL: null). */
async function pgRawRows(): Promise<Record<string, Raw>[]> {
  const select = COLUMNS.map((c) =>
    c.element ? `array_to_json(${quote(c.name)}::text[])::text as ${quote(c.name)}` : quote(c.name),
  );
  const { rows } = await textPool.query<Record<string, string | null>>(
    `select id, ${select.join(', ')} from matrix order by id`,
  );
  return rows.map((row) =>
    Object.fromEntries(
      Object.entries(row).map(([name, text]) => {
        const column = COLUMNS.find((c) => c.name === name);
        return [name, column?.element && text !== null ? (JSON.parse(text) as Raw) : text];
      }),
    ),
  );
}

/** What the client's default parser makes of Postgres' text (its rules, written out independently). */
function typed(type: string, text: string): unknown {
  switch (type) {
    case 'int2':
    case 'int4':
    case 'float4':
    case 'float8':
      return Number(text);
    case 'int8':
      return BigInt(text);
    case 'bool':
      return text === 't' || text === 'true';
    case 'json':
    case 'jsonb':
      return JSON.parse(text);
    default:
      return text;
  }
}

function typedRaw(type: string, raw: Raw): unknown {
  if (raw === null) return null;
  if (Array.isArray(raw)) return raw.map((r) => typedRaw(type, r));
  return typed(type, raw);
}

function typedRows(raw: Record<string, Raw>[]): Record<string, unknown>[] {
  return raw.map((row) =>
    Object.fromEntries(
      Object.entries(row).map(([name, value]) => {
        if (name === 'id') return [name, Number(value)];
        const column = COLUMNS.find((c) => c.name === name) as Column;
        return [name, typedRaw(column.element ?? baseType(column), value)];
      }),
    ),
  );
}

/** Each column as text. */
const TEXT_SELECT = `select id::text, ${COLUMNS.map((c) => `${quote(c.name)}::text`).join(', ')} from matrix order by id`;

async function pgTextRows(): Promise<unknown[][]> {
  return (await textPool.query<unknown[]>({ text: TEXT_SELECT, rowMode: 'array' })).rows;
}

async function localTextRows(): Promise<unknown[][]> {
  await local.exec(
    `set bytea_output = 'hex'; set datestyle = 'ISO, DMY'; set timezone = 'UTC'; ` +
      `set extra_float_digits = 1; set intervalstyle = 'iso_8601'`,
  );
  return (await local.query<unknown[]>(TEXT_SELECT, [], { rowMode: 'array' })).rows;
}

const IDENTITY = (text: string): string => text;
/** The client's `Value` type has no bytes, though PGlite binds them: hence the cast. */
const byteaFromHex = ((text: string): Uint8Array => Buffer.from(text.slice(2), 'hex')) as unknown as (
  text: string,
) => string;
const byId = <T extends Row>(rows: T[]): T[] => [...rows].sort((a, b) => Number(a.id) - Number(b.id));

describe('the data-type matrix through the official clients', () => {
  it('[SE22][SE37][SN5] every value reaches ShapeStream and PGlite as Postgres holds it, in the snapshot and live', async () => {
    const params = { table: 'matrix' };
    const errors = new ClientErrors();
    // The wire text itself (the client leaves every scalar as sent; arrays split by its array parser) ...
    const raw = shapeOf(
      new ShapeStream<Row>({
        url: server.shapeUrl,
        params,
        onError: errors.onError,
        parser: Object.fromEntries(
          ['int2', 'int4', 'int8', 'float4', 'float8', 'bool', 'json', 'jsonb'].map((t) => [t, IDENTITY]),
        ),
      }),
    );
    // ... and the values an app sees through the default parser.
    const parsed = shapeOf(new ShapeStream<Row>({ url: server.shapeUrl, params, onError: errors.onError }));
    const sync = await local.sync.syncShapesToTables({
      key: null,
      onError: errors.onError,
      shapes: {
        matrix: {
          // As an app that wants exact values configures it: json and floats stay text (a parse and
          // PGlite's re-serialization lose json `null` vs NULL, top-level json strings and -0), and
          // PGlite binds bytea from bytes, not from Postgres' `\x…` text.
          shape: {
            url: server.shapeUrl,
            params,
            parser: {
              json: IDENTITY,
              jsonb: IDENTITY,
              float4: IDENTITY,
              float8: IDENTITY,
              bytea: byteaFromHex,
            },
          },
          table: 'matrix',
          primaryKey: ['id'],
          mapColumns: quoteColumnNames,
        },
      },
    });

    /** Ends a phase: the marker row's `t` names it, written last, in its own transaction. */
    const check = async (phase: string): Promise<void> => {
      await db.pool.query(`update matrix set t = $1 where id = ${MARKER}`, [phase]);
      const marked = (rows: Row[]) => rows.some((r) => Number(r.id) === MARKER && r.t === phase);
      await errors.race(shapeUntil(raw, marked));
      await errors.race(shapeUntil(parsed, marked));
      await errors.race(
        localUntil<{ t: string }>(local, `select t from matrix where id = ${MARKER}`, (rows) =>
          rows.some((r) => r.t === phase),
        ),
      );
      const expected = await pgRawRows();
      expect(byId(raw.currentRows), `${phase}: raw values`).toEqual(expected);
      expect(byId(parsed.currentRows), `${phase}: parsed values`).toEqual(typedRows(expected));
      expect(await localTextRows(), `${phase}: PGlite`).toEqual(await pgTextRows());
    };

    await check('snapshot');
    // Live: every set inserted again in one transaction, then every row updated to another set.
    await db.pool.query(`begin; ${SET_NAMES.map((set, i) => insertSql(101 + i, set)).join('; ')}; commit`);
    await check('live inserts');
    const next = (i: number): string => SET_NAMES[(i + 1) % SET_NAMES.length] as string;
    await db.pool.query(`begin; ${SET_NAMES.map((_, i) => updateSql(i + 1, next(i))).join('; ')}; commit`);
    for (const [i] of SET_NAMES.entries()) await db.pool.query(updateSql(101 + i, next(i + 1)));
    await check('live updates');
    expect((await pgRawRows()).length).toBe(2 * SET_NAMES.length + 1);
    sync.unsubscribe();
  });
});
