import { expect, it } from 'vitest';
import { validateShapeDefinition } from '../shape-request';
import { items } from '../test-support/tables';
import { snapshotQuery } from './snapshot-query';

function definitionOf(where: string) {
  const result = validateShapeDefinition({ table: 'items', where }, () => items);
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result.value;
}

it('[SE9] a snapshot prefilter on an enum compares its label as text', () => {
  expect(snapshotQuery(definitionOf(`mood::text = 'happy'`))).toMatchObject({
    where: `"mood"::text = any($1::text[])`,
    params: ['{"happy"}'],
  });
});

it('[SE19] a snapshot prefilter on a text column keeps the column bare, so its index serves it', () => {
  expect(snapshotQuery(definitionOf(`title IN ('a', 'b')`))).toMatchObject({
    where: `"title" = any($1::text[])`,
  });
});

it('[SE19] a snapshot prefilter never reads a function of a column as the column, and selects the columns it reads', () => {
  expect(snapshotQuery(definitionOf(`lower(title) = 'a'`))).not.toHaveProperty('where');
  expect(snapshotQuery(definitionOf(`lower(title) = 'a' AND n = 1`))).toMatchObject({
    where: `"n" = any($1::int8[])`,
    params: ['{"1"}'],
  });
  const where = `concat(code, coalesce(uid::text, lower(title))) = 'a'`;
  const result = validateShapeDefinition({ table: 'items', columns: 'id', where }, () => items);
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  expect(snapshotQuery(result.value).columns).toEqual(['id', 'title', 'code', 'uid']);
});
