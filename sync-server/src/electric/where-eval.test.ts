import { describe, expect, it } from 'vitest';
import { parseWhere, type Params } from './where-parse';
import { compileWhere, RowShapeError, rowMatches, type Truth } from './where-eval';
import { compareCodePoints } from './values';
import type { Row } from './table-schema';
import { items } from './test-support/tables';

const base: Row = {
  id: '1',
  n: '10',
  price: '9.50',
  ratio: '0.5',
  f4: '1.1',
  title: 'Hello',
  code: 'ab  ',
  done: 't',
  uid: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
  at: '2024-01-01 10:00:00+00',
  local: '2024-01-01 10:00:00',
  day: '2024-01-01',
  mood: 'happy',
  data: '{}',
  'Has Space': 'x',
};

function evalWhere(where: string, row: Row = {}, params: Params = {}): Truth {
  return compileWhere(parseWhere(where, items, params))({ ...base, ...row });
}

describe('where evaluation', () => {
  it('[SE12] comparisons with NULL are NULL, and AND/OR/NOT follow three-valued logic', () => {
    expect(evalWhere('n = 1', { n: null })).toBe(null);
    expect(evalWhere('n = NULL')).toBe(null);
    expect(evalWhere('n = 1 AND n = 10', { n: null })).toBe(null);
    expect(evalWhere('n = 1 AND false', { n: null })).toBe(false);
    expect(evalWhere('n = 1 OR true', { n: null })).toBe(true);
    expect(evalWhere('n = 1 OR false', { n: null })).toBe(null);
    expect(evalWhere('NOT (n = 1)', { n: null })).toBe(null);
    expect(evalWhere('NOT (n = 1)')).toBe(true);
  });

  it('[SE12] a row is in the shape only when the clause is TRUE', () => {
    const predicate = compileWhere(parseWhere('n = 1', items));
    expect(rowMatches(predicate, { ...base, n: '1' })).toBe(true);
    expect(rowMatches(predicate, { ...base, n: null })).toBe(false);
    expect(rowMatches(null, base)).toBe(true);
  });

  it('[SE12] a row missing a referenced column is a bug the engine must see, not a silent miss', () => {
    expect(() => compileWhere(parseWhere('n = 1', items))({ id: '1' })).toThrow(RowShapeError);
  });

  it('[SE13] integers compare exactly beyond 2^53, and across int, numeric and float as Postgres widens them', () => {
    expect(evalWhere('id = 9007199254740993', { id: '9007199254740993' })).toBe(true);
    expect(evalWhere('id = 9007199254740992', { id: '9007199254740993' })).toBe(false);
    expect(evalWhere('id > 9007199254740992', { id: '9007199254740993' })).toBe(true);
    expect(evalWhere('n = 10.0')).toBe(true);
    expect(evalWhere('n < 10.5')).toBe(true);
    expect(evalWhere('n = 1.5', { n: '1' })).toBe(false);
    expect(evalWhere('ratio = 0.5')).toBe(true);
    expect(evalWhere('n > ratio')).toBe(true);
  });

  it('[SE13] numeric is exact decimal: trailing zeros are equal, NaN equals NaN and sorts above everything', () => {
    expect(evalWhere('price = 9.5')).toBe(true);
    expect(evalWhere("price = '9.500'")).toBe(true);
    expect(evalWhere('price > 0.1', { price: '0.10000000000000000000000001' })).toBe(true);
    expect(evalWhere("price = 'NaN'", { price: 'NaN' })).toBe(true);
    expect(evalWhere("price > 'Infinity'", { price: 'NaN' })).toBe(true);
    expect(evalWhere("price < '-Infinity'", { price: '-1e100' })).toBe(false);
  });

  it('[SE13] float4 keeps single precision (1.1::float4 <> 1.1) and float NaN sorts last', () => {
    expect(evalWhere('f4 = 1.1')).toBe(false);
    expect(evalWhere("f4 = '1.1'")).toBe(true);
    expect(evalWhere("ratio = 'NaN'", { ratio: 'NaN' })).toBe(true);
    expect(evalWhere("ratio > 'Infinity'", { ratio: 'NaN' })).toBe(true);
    expect(evalWhere('ratio < 0', { ratio: '-Infinity' })).toBe(true);
  });

  it('[SE14] text compares by code point (C collation), astral characters above U+FFFF included', () => {
    expect(evalWhere("title < 'a'", { title: 'Z' })).toBe(true); // uppercase sorts first in C
    expect(evalWhere("title > 'é'", { title: '😀' })).toBe(true);
    expect(evalWhere("title > '\uFB01'", { title: '😀' })).toBe(true); // UTF-16 order would say false
    expect(compareCodePoints('\uFFFF', '\u{10000}')).toBeLessThan(0);
    expect(compareCodePoints('abc', 'abd')).toBeLessThan(0);
    expect(evalWhere("title = 'hello'")).toBe(false);
  });

  it('[SE14] character(n) ignores trailing spaces', () => {
    expect(evalWhere("code = 'ab'")).toBe(true);
    expect(evalWhere("code = 'ab   '")).toBe(true);
    expect(evalWhere("code LIKE 'ab'")).toBe(true);
  });

  it('[SE15] bool reads t/f (pgoutput) and true/false (snapshot); uuid in any input form; enum as text', () => {
    expect(evalWhere('done')).toBe(true);
    expect(evalWhere('done', { done: 'true' })).toBe(true);
    expect(evalWhere('NOT done', { done: 'f' })).toBe(true);
    expect(evalWhere("done = 'yes'")).toBe(true);
    expect(evalWhere("uid = 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'")).toBe(true);
    expect(evalWhere("uid = '{a0eebc999c0b4ef8bb6d6bb9bd380a11}'")).toBe(true);
    expect(evalWhere("mood::text = 'happy'")).toBe(true);
  });

  it('[SE15] timestamps compare as instants, with offsets, microseconds, infinity and BC', () => {
    expect(evalWhere("at = '2024-01-01T12:00:00+02:00'")).toBe(true);
    expect(evalWhere("at = '2024-01-01 10:00:00Z'")).toBe(true);
    expect(evalWhere("at < '2024-01-01 10:00:00.000001+00'")).toBe(true);
    expect(evalWhere("at > '2024-01-01 10:00:00.123456+00'", { at: '2024-01-01 10:00:00.123457+00' })).toBe(
      true,
    );
    expect(evalWhere("at < 'infinity'")).toBe(true);
    expect(evalWhere("at > '-infinity'", { at: '0044-03-15 00:00:00+00 BC' })).toBe(true);
    expect(evalWhere("at < '0001-01-01 00:00:00+00'", { at: '0044-03-15 00:00:00+00 BC' })).toBe(true);
    // timestamp without time zone ignores an offset in its input, as Postgres does
    expect(evalWhere("local = '2024-01-01 10:00:00+05'")).toBe(true);
    expect(evalWhere("day = '2024-01-01'")).toBe(true);
    expect(evalWhere("day < '2024-01-01 00:00:01+00'::timestamptz")).toBe(true);
    expect(evalWhere("day > '2023-12-31'", { day: 'infinity' })).toBe(true);
  });

  it('[SE16] LIKE and ILIKE: % and _ per character, escapes, ESCAPE clause, case folding', () => {
    expect(evalWhere("title LIKE 'H%o'")).toBe(true);
    expect(evalWhere("title LIKE 'H_llo'")).toBe(true);
    expect(evalWhere("title LIKE 'h%'")).toBe(false);
    expect(evalWhere("title ILIKE 'h%'")).toBe(true);
    expect(evalWhere("title NOT ILIKE 'h%'")).toBe(false);
    expect(evalWhere("title LIKE '_'", { title: '😀' })).toBe(true);
    expect(evalWhere("title LIKE '100\\%'", { title: '100%' })).toBe(true);
    expect(evalWhere("title LIKE '100\\%'", { title: '1000' })).toBe(false);
    expect(evalWhere("title LIKE 'a!_b' ESCAPE '!'", { title: 'a_b' })).toBe(true);
    expect(evalWhere("title LIKE 'a!_b' ESCAPE '!'", { title: 'axb' })).toBe(false);
    expect(evalWhere("title LIKE 'a\\b' ESCAPE ''", { title: 'a\\b' })).toBe(true);
    expect(evalWhere("title LIKE 'a.c'", { title: 'abc' })).toBe(false);
    expect(evalWhere("title LIKE '%'", { title: 'line1\nline2' })).toBe(true);
    expect(evalWhere("title LIKE 'x'", { title: null })).toBe(null);
    expect(evalWhere('title LIKE NULL')).toBe(null);
  });

  it('[SE17] IN and NOT IN with NULLs: NOT IN a list holding NULL is never TRUE', () => {
    expect(evalWhere('n IN (1, 10)')).toBe(true);
    expect(evalWhere('n IN (1, 2)')).toBe(false);
    expect(evalWhere('n IN (1, NULL)')).toBe(null);
    expect(evalWhere('n IN (10, NULL)')).toBe(true);
    expect(evalWhere('n NOT IN (1, NULL)')).toBe(null);
    expect(evalWhere('n NOT IN (1, 2)')).toBe(true);
    expect(evalWhere("title IN ('Hello', 'x')")).toBe(true);
  });

  it('[SE17] BETWEEN is inclusive; SYMMETRIC accepts reversed bounds; NOT BETWEEN negates', () => {
    expect(evalWhere('n BETWEEN 10 AND 20')).toBe(true);
    expect(evalWhere('n BETWEEN 20 AND 10')).toBe(false);
    expect(evalWhere('n BETWEEN SYMMETRIC 20 AND 10')).toBe(true);
    expect(evalWhere('n NOT BETWEEN 11 AND 20')).toBe(true);
    expect(evalWhere('n BETWEEN NULL AND 20')).toBe(null);
    expect(evalWhere('n BETWEEN NULL AND 5')).toBe(false);
  });

  it('[SE17] = ANY / op ALL over arrays from params, literals and ARRAY[...], with NULL elements', () => {
    expect(evalWhere('n = ANY($1)', {}, { 1: '{1,10}' })).toBe(true);
    expect(evalWhere('n = ANY($1)', {}, { 1: '{1,2}' })).toBe(false);
    expect(evalWhere('n = ANY($1)', {}, { 1: '{1,NULL}' })).toBe(null);
    expect(evalWhere('n = ANY($1)', {}, { 1: '{}' })).toBe(false);
    expect(evalWhere('title = ANY(\'{"Hello",x}\')')).toBe(true);
    expect(evalWhere('n = ANY(ARRAY[3, 10])')).toBe(true);
    expect(evalWhere("n > ALL('{1,2}'::int[])")).toBe(true);
    expect(evalWhere("n > ALL('{1,20}'::int[])")).toBe(false);
    expect(evalWhere("n > ALL('{1,NULL}'::int[])")).toBe(null);
    expect(evalWhere("n > ALL('{}'::int[])", { n: null })).toBe(true);
  });

  it('[SE8] lower() and upper() map each character by Unicode simple case mapping; NULL gives NULL', () => {
    expect(evalWhere("lower(title) = 'hello'")).toBe(true);
    expect(evalWhere("upper(title) = 'HELLO'")).toBe(true);
    expect(evalWhere("lower(title) = 'x'", { title: null })).toBe(null);
    expect(evalWhere('upper(title) IS NULL', { title: null })).toBe(true);
    expect(evalWhere("lower(title) = 'àéî ǆ 𐐨'", { title: 'ÀÉÎ ǅ 𐐀' })).toBe(true);
    // simple, not full, mapping: no İ → i̇, no ß → SS, no final ς, ᾳ → ᾼ rather than ΑΙ
    expect(evalWhere("lower(title) = 'i'", { title: 'İ' })).toBe(true);
    expect(evalWhere("upper(title) = 'ß ﬁ'", { title: 'ß ﬁ' })).toBe(true);
    expect(evalWhere("lower(title) = 'ασ'", { title: 'ΑΣ' })).toBe(true);
    expect(evalWhere("upper(title) = 'ᾼ'", { title: 'ᾳ' })).toBe(true);
    // character(n) is cast to text first, which drops its trailing spaces
    expect(evalWhere("lower(code) = 'ab'", { code: 'AB  ' })).toBe(true);
  });

  it('[SE8] length() counts characters (code points); character(n) ignores trailing spaces', () => {
    expect(evalWhere('length(title) = 5')).toBe(true);
    expect(evalWhere('length(title) = 2', { title: '😀é' })).toBe(true);
    expect(evalWhere('length(title) = 0', { title: '' })).toBe(true);
    expect(evalWhere('length(code) = 2', { code: 'ab  ' })).toBe(true);
    expect(evalWhere('length(title) > 3', { title: null })).toBe(null);
    expect(evalWhere('length(title) IS NULL', { title: null })).toBe(true);
    expect(evalWhere('length(title) IS NOT NULL')).toBe(true);
    expect(evalWhere('length(title) > 3.5')).toBe(true); // int4 result widens like a column
  });

  it('[SE8] concat() skips NULLs, is never NULL, and prints values as Postgres does', () => {
    expect(evalWhere("concat(title, '-', n) = 'Hello-10'")).toBe(true);
    expect(evalWhere("concat(title, '-', n) = 'Hello-'", { n: null })).toBe(true);
    expect(evalWhere("concat(title, NULL) = ''", { title: null })).toBe(true);
    expect(evalWhere('concat(title) IS NULL', { title: null })).toBe(false);
    // plain columns print as the row holds them: character(n) keeps its padding, numeric its scale
    expect(evalWhere("concat(code, '|') = 'ab  |'")).toBe(true);
    expect(evalWhere("concat(code::text, '|') = 'ab|'")).toBe(true);
    expect(evalWhere("concat(price, ' ', done, ' ', at) = '9.50 t 2024-01-01 10:00:00+00'")).toBe(true);
    expect(evalWhere("concat(length(title), upper(title), true, 7) = '5HELLOt7'")).toBe(true);
    expect(evalWhere("concat(title, $1) = 'Hello1.50'", {}, { 1: '1.50' })).toBe(true);
  });

  it('[SE8] coalesce() is its first non-NULL argument, in the type Postgres resolves for them all', () => {
    expect(evalWhere("coalesce(title, 'x') = 'Hello'")).toBe(true);
    expect(evalWhere("coalesce(title, 'x') = 'x'", { title: null })).toBe(true);
    expect(evalWhere("coalesce(title, NULL) = 'x'", { title: null })).toBe(null);
    expect(evalWhere('coalesce(n, price) = 9.5', { n: null })).toBe(true);
    expect(evalWhere('coalesce(n, 1.5) > 1', { n: null })).toBe(true);
    expect(evalWhere("coalesce(at, day) = '2024-01-01'", { at: null })).toBe(true);
    expect(evalWhere('coalesce(done, false)', { done: null })).toBe(false);
    expect(evalWhere('NOT coalesce(done, NULL)', { done: null })).toBe(null);
    // coalesce(float4, numeric) is float4: the constant keeps single precision too
    expect(evalWhere('coalesce(f4, 1.1) = 1.1', { f4: null })).toBe(false);
    expect(evalWhere('coalesce(f4, 1.1) = f4', { f4: '1.1' })).toBe(true);
    // coalesce(bpchar, text) is bpchar: trailing spaces of the text stop counting
    expect(evalWhere("coalesce(code, title) = 'x'", { code: null, title: 'x  ' })).toBe(true);
    expect(evalWhere("coalesce(title, code) = 'x'", { code: null, title: 'x  ' })).toBe(false);
    expect(evalWhere("lower(coalesce(title, '')) LIKE '%ell%'")).toBe(true);
    expect(evalWhere("lower(coalesce(title, '')) LIKE '%ell%'", { title: null })).toBe(false);
  });

  it('[SE8] functions nest, compare with params, and work in IN, ANY and BETWEEN', () => {
    expect(evalWhere('upper(title) = $1', {}, { 1: 'HELLO' })).toBe(true);
    expect(evalWhere('lower(title) = lower($1)', {}, { 1: 'HeLLo' })).toBe(true);
    expect(evalWhere("lower(title) IN ('x', 'hello')")).toBe(true);
    expect(evalWhere("lower(title) IN ('x', NULL)")).toBe(null);
    expect(evalWhere('upper(title) = ANY($1)', {}, { 1: '{HELLO,X}' })).toBe(true);
    expect(evalWhere('length(concat(title, code)) BETWEEN 7 AND 9')).toBe(true); // 'Helloab  '
    expect(evalWhere("concat(lower(title), '-', coalesce(n, 0)) = 'hello-0'", { n: null })).toBe(true);
    expect(evalWhere('coalesce(length(title), n) = 10', { title: null })).toBe(true);
  });

  it('[SE9] a character(n) column cast to text drops its trailing spaces, as the cast does', () => {
    expect(evalWhere("code::text = 'ab'")).toBe(true);
    expect(evalWhere("code::varchar LIKE 'ab'")).toBe(true);
    expect(evalWhere("title::bpchar = 'ab'", { title: 'ab  ' })).toBe(true);
  });

  it('[SE17] IS [NOT] NULL, IS [NOT] TRUE/FALSE/UNKNOWN and IS [NOT] DISTINCT FROM never return NULL', () => {
    expect(evalWhere('title IS NULL', { title: null })).toBe(true);
    expect(evalWhere('title IS NOT NULL', { title: null })).toBe(false);
    expect(evalWhere('(n = 1) IS NULL', { n: null })).toBe(true);
    expect(evalWhere('done IS TRUE', { done: null })).toBe(false);
    expect(evalWhere('done IS NOT TRUE', { done: null })).toBe(true);
    expect(evalWhere('done IS FALSE', { done: 'f' })).toBe(true);
    expect(evalWhere('done IS NOT FALSE', { done: null })).toBe(true);
    expect(evalWhere('(n = 1) IS UNKNOWN', { n: null })).toBe(true);
    expect(evalWhere('n IS DISTINCT FROM NULL', { n: null })).toBe(false);
    expect(evalWhere('n IS DISTINCT FROM 1', { n: null })).toBe(true);
    expect(evalWhere('n IS NOT DISTINCT FROM 10')).toBe(true);
  });
});
