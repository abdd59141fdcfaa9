import { describe, expect, it } from 'vitest';
import { parseWhere, WhereError, WHERE_ERROR_CODES, type Params } from './where-parse';
import { canonicalWhere } from './where-ast';
import { items } from './test-support/tables';

function errorOf(where: string, params: Params = {}): { code: string; message: string } {
  try {
    parseWhere(where, items, params);
  } catch (error) {
    if (error instanceof WhereError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error(`expected ${where} to be rejected`);
}

describe('where parsing', () => {
  it('[SE7] a syntax error reports the Postgres message at its position in "SELECT 1 WHERE …", as Electric does', () => {
    expect(errorOf('1 x 1')).toEqual({
      code: WHERE_ERROR_CODES.syntax,
      message: 'At location 17: syntax error at or near "x"',
    });
    expect(errorOf('n = ').message).toBe('At location 19: syntax error at end of input');
  });

  it('[SE7] a second statement or trailing clauses are rejected', () => {
    expect(errorOf('n = 1; DROP TABLE items').message).toBe('unescaped ";" causing statement split');
    expect(errorOf('n = 1 LIMIT 1').message).toBe('malformed query ending with SQL clauses');
    expect(errorOf('n = 1 ORDER BY n').message).toBe('malformed query ending with SQL clauses');
    expect(errorOf('n = 1 UNION SELECT 2').message).toBe('malformed query ending with SQL clauses');
  });

  it('[SE8] constructs outside the subset are rejected with a message naming them, located in the clause', () => {
    expect(errorOf('btrim(title) = $1', { 1: 'a' })).toEqual({
      code: WHERE_ERROR_CODES.unsupported,
      message: 'At location 0: unknown or unsupported function btrim/1',
    });
    expect(errorOf("n = 1 AND lower(title, 'x') = 'a'").message).toBe(
      'At location 10: unknown or unsupported function lower/2',
    );
    expect(errorOf("concat() = ''").message).toBe('At location 0: unknown or unsupported function concat/0');
    expect(errorOf("foo.lower(title) = 'a'").message).toBe(
      'At location 0: unknown or unsupported function foo.lower/1',
    );
    // COALESCE is grammar, not a function: Postgres has no pg_catalog.coalesce either.
    expect(errorOf("pg_catalog.coalesce(title, 'a') = 'a'").message).toBe(
      'At location 0: unknown or unsupported function coalesce/2',
    );
    expect(errorOf('count(*) > 1').message).toBe('At location 0: unknown or unsupported function count/0');
    expect(errorOf("lower(DISTINCT title) = 'a'").message).toBe(
      'At location 0: unknown or unsupported function lower/1',
    );
    expect(errorOf('n + 1 = 2').message).toBe('At location 2: operator + is not supported');
    expect(errorOf('n IN (SELECT 1)').message).toBe('At location 2: Subqueries are not supported');
    expect(errorOf("title ~ 'a'").message).toBe('At location 6: operator ~ is not supported');
    expect(errorOf('CASE WHEN done THEN true END').message).toBe(
      'At location 0: CaseExpr is not supported in this context',
    );
    expect(errorOf('NULLIF(n, 1) IS NULL').message).toContain('is not currently supported');
  });

  it('[SE8] the supported subset parses: comparisons, AND/OR/NOT, IN, BETWEEN, LIKE, IS tests, ANY, params', () => {
    const accepted = [
      'n = 1',
      'n <> 1 AND n != 2 OR NOT n < 3',
      'n <= 1 OR n > 2 OR n >= 3',
      "title IN ('a', 'b') AND n NOT IN (1, 2)",
      'n BETWEEN 1 AND 5 AND n NOT BETWEEN SYMMETRIC 9 AND 7',
      "title LIKE 'a%' AND title NOT ILIKE '%b' AND title LIKE 'x!%' ESCAPE '!'",
      'title IS NULL OR title IS NOT NULL',
      'done IS TRUE OR done IS NOT FALSE OR done IS UNKNOWN',
      'done AND NOT done',
      "id = ANY($1) AND n = ANY(ARRAY[1, 2]) AND title = ANY('{\"a b\",c}') AND n > ALL('{1,2}'::int[])",
      'n IS DISTINCT FROM 1 AND n IS NOT DISTINCT FROM NULL',
      '"Has Space" = \'x\'',
      "mood::text = 'happy'",
      "at > '2024-01-01T00:00:00Z'::timestamptz AND day = '2024-01-01'::date",
      'price > -1.5 AND id < 9223372036854775807',
    ];
    for (const where of accepted) {
      const params = where.includes('$1') ? { 1: '{1,2}' } : {};
      expect(() => parseWhere(where, items, params), where).not.toThrow();
    }
  });

  it('[SE8] lower(), upper(), length(), concat() and coalesce() parse: any case, pg_catalog-qualified, nested, with params', () => {
    const accepted = [
      "lower(title) = 'x'",
      "LOWER(title) = 'x' AND Upper(title) <> 'X'",
      "pg_catalog.lower(title) = 'x' AND \"upper\"(title) = 'X'",
      'length(title) > 3 AND length(code) = 2',
      "lower(title) IN ('x', 'y') AND upper(title) NOT IN ('Z')",
      "concat(title, '-', n) = 'x-1' AND concat(done, price, at, uid, day) <> ''",
      "lower(coalesce(title, '')) LIKE '%abc%'",
      "COALESCE(n, price, 0) > 1 AND coalesce(at, day) < '2024-01-01'",
      'coalesce(done, false) AND coalesce(done, NULL) IS NULL',
      'lower(mood::text) = \'happy\' AND length("Has Space") = 1',
      'upper(title) = ANY($1)',
      'length(concat(upper(title), lower(coalesce(code, title)))) BETWEEN 1 AND 9',
    ];
    for (const where of accepted) {
      const params = where.includes('$1') ? { 1: '{A,B}' } : {};
      expect(() => parseWhere(where, items, params), where).not.toThrow();
    }
  });

  it('[SE8] function arguments are typed as Postgres types them, and a mismatch is a 400', () => {
    expect(errorOf("lower(n) = 'x'")).toEqual({
      code: WHERE_ERROR_CODES.type,
      message: 'At location 0: function lower(int4) does not exist',
    });
    expect(errorOf('length(done) > 1').message).toBe('At location 0: function length(bool) does not exist');
    expect(errorOf("upper(uid) = 'x'").message).toBe('At location 0: function upper(uuid) does not exist');
    expect(errorOf("lower(mood) = 'x'").message).toBe(
      'At location 6: column mood has enum type mood: compare it as text with mood::text',
    );
    expect(errorOf('coalesce(n, title) = 1')).toEqual({
      code: WHERE_ERROR_CODES.type,
      message: 'At location 12: COALESCE types int4 and text cannot be matched',
    });
    // unknown literals and params take COALESCE's resolved type
    expect(errorOf("coalesce(n, 'x') = 1").message).toBe('At location 12: invalid syntax for type int4: x');
    expect(errorOf('coalesce(n, $1) = 1', { 1: '1.5' }).message).toBe(
      'At location 12: invalid syntax for type int4: 1.5',
    );
    expect(errorOf("length(title) = 'x'").message).toBe('At location 16: invalid syntax for type int4: x');
    expect(errorOf('lower(title) = 1').message).toBe('At location 13: operator does not exist: text = int4');
    expect(errorOf('lower(title)').message).toBe(
      'At location 0: argument of WHERE must be type bool, not lower() of type text',
    );
  });

  it('[SE8] concat() prints plain columns as the row holds them and refuses values it cannot print exactly', () => {
    expect(errorOf("concat(title, 1.5) = 'x'")).toEqual({
      code: WHERE_ERROR_CODES.unsupported,
      message: 'At location 14: concat of a constant of type numeric is not supported',
    });
    expect(errorOf("concat('ab'::char(4)) = 'x'").message).toBe(
      'At location 7: concat of a constant of type bpchar is not supported',
    );
    expect(errorOf("concat(coalesce(code, 'x')) = 'x'").message).toBe(
      'At location 7: concat of coalesce() of type bpchar is not supported',
    );
    expect(errorOf("concat(title::bpchar) = 'x'").message).toBe(
      'At location 7: concat of column title of type bpchar is not supported',
    );
    expect(errorOf("concat(coalesce(price, 0)) = 'x'").message).toBe(
      'At location 7: concat of coalesce() of type numeric is not supported',
    );
    expect(errorOf("concat(n = 1) = 't'").message).toBe(
      'At location 9: concat of a boolean expression is not supported',
    );
    expect(errorOf("concat(data) = 'x'").message).toBe(
      'At location 7: column data of type jsonb is not supported in where clauses',
    );
  });

  it('[SE9] column references are checked against the table, quoted identifiers included', () => {
    expect(errorOf('nope = 1')).toEqual({
      code: WHERE_ERROR_CODES.unknownColumn,
      message: 'At location 0: unknown reference nope',
    });
    expect(errorOf('"Title" = 1').message).toBe('At location 0: unknown reference "Title"');
    expect(errorOf('items.n = 1').message).toBe('At location 0: unknown reference items.n');
    expect(errorOf('"has space" = 1').message).toBe('At location 0: unknown reference "has space"');
  });

  it('[SE9] enums compare only as text, and columns of other types are refused by name', () => {
    expect(errorOf("mood = 'happy'")).toEqual({
      code: WHERE_ERROR_CODES.type,
      message: 'At location 0: column mood has enum type mood: compare it as text with mood::text',
    });
    expect(errorOf("data = '{}'").message).toBe(
      'At location 0: column data of type jsonb is not supported in where clauses',
    );
  });

  it('[SE10] literals are read as the type of the column they meet, and a bad one is a 400', () => {
    expect(errorOf("n = 'abc'")).toEqual({
      code: WHERE_ERROR_CODES.literal,
      message: 'At location 4: invalid syntax for type int4: abc',
    });
    expect(errorOf("n = '99999999999'").message).toBe(
      'At location 4: value "99999999999" is out of range for type int4',
    );
    expect(() => parseWhere('n = 99999999999', items)).not.toThrow(); // int4 = int8 exists in Postgres
    expect(errorOf("uid = 'not-a-uuid'").message).toBe(
      'At location 6: invalid syntax for type uuid: not-a-uuid',
    );
    expect(errorOf("at > 'yesterday-ish'").message).toBe(
      'At location 5: invalid syntax for type timestamptz: yesterday-ish',
    );
    expect(errorOf("title LIKE 'a\\'").message).toBe(
      'At location 6: LIKE pattern must not end with escape character',
    );
  });

  it('[SE10] comparing types Postgres has no operator for is a 400 naming both types', () => {
    expect(errorOf('title = 1')).toEqual({
      code: WHERE_ERROR_CODES.type,
      message: 'At location 6: operator does not exist: text = int4',
    });
    expect(errorOf('at > n').message).toBe('At location 3: operator does not exist: timestamptz > int4');
    expect(errorOf("n LIKE '1%'").message).toBe('At location 2: operator does not exist: int4 ~~ text');
  });

  it('[SE11] the clause must be boolean', () => {
    expect(errorOf('n')).toEqual({
      code: WHERE_ERROR_CODES.type,
      message: 'At location 0: argument of WHERE must be type bool, not column n of type int4',
    });
    expect(errorOf('n AND done').message).toBe(
      'At location 0: argument of AND must be type bool, not column n of type int4',
    );
  });

  it('[SE4] every $n must be provided, every provided param used, and numbering has no gaps', () => {
    expect(errorOf('n = $1')).toEqual({
      code: WHERE_ERROR_CODES.param,
      message: 'At location 4: parameter $1 was not provided',
    });
    expect(errorOf('n = $1', { 1: '1', 2: '2' }).message).toBe(
      'At location 0: parameter value for $2 was not used',
    );
    expect(errorOf('n = $2', { 2: '2' }).message).toBe(
      'At location 0: expression is missing $1 - parameters should be numbered sequentially',
    );
    expect(errorOf('n = $1', { 1: 'x' }).message).toBe('At location 4: invalid syntax for type int4: x');
  });

  it('[SE5] the canonical form ignores spelling (whitespace, case of keywords, params) but not values', () => {
    const a = canonicalWhere(parseWhere('n = 1 and title = $1', items, { 1: 'x' }));
    const b = canonicalWhere(parseWhere("N=1   AND title='x'", items));
    const c = canonicalWhere(parseWhere("n = 1 AND title = 'y'", items));
    const d = canonicalWhere(parseWhere('price = 1', items));
    const e = canonicalWhere(parseWhere('price = 1.0', items));
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(d).toBe(e); // both are numeric 1 once typed; equal values, equal shapes
  });

  it('[SE5] a function is part of the canonical key; spelling is not, and calls of constants fold', () => {
    const key = (where: string, params: Params = {}): string =>
      canonicalWhere(parseWhere(where, items, params));
    expect(key("lower(title) = 'x'")).not.toBe(key("title = 'x'"));
    expect(key("lower(title) = 'x'")).not.toBe(key("upper(title) = 'x'"));
    expect(key("concat(title, 'a') = 'x'")).not.toBe(key("concat('a', title) = 'x'"));
    expect(key("LOWER( title )='x'")).toBe(key('pg_catalog.lower(title) = $1', { 1: 'x' }));
    expect(key('COALESCE(n, 1) = 2')).toBe(key('coalesce(n, $1) = 2', { 1: '1' }));
    expect(key("title = lower('X')")).toBe(key("title = 'x'"));
    expect(key("title LIKE concat('%', $1, '%')", { 1: 'b' })).toBe(key("title LIKE '%b%'"));
    expect(key('n = length($1)', { 1: 'abc' })).toBe(key('n = 3'));
  });
});
