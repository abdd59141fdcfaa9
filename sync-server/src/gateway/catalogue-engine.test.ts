// Every named shape, for every kind of viewer, is a definition the shape engine accepts: its where
// clause stays inside the engine's subset (electric/SPEC.md SE8–SE11) and its params are well typed.
import { describe, expect, it } from 'vitest';
import { newId } from '@hearth/schema/ids';
import { FACT_ORDER, namedShapes, shapeQuery, type FactName, type Viewer } from '@hearth/schema/shapes/index';
import { isEnumType, type PgType, type Table } from '@hearth/schema/table';
import { validateShapeDefinition } from '../electric/shape-request';
import type { TableSchema } from '../electric/table-schema';
import { upstreamQuery } from './request';

const TYPNAME: Record<PgType, string> = {
  uuid: 'uuid',
  text: 'text',
  smallint: 'int2',
  integer: 'int4',
  bigint: 'int8',
  boolean: 'bool',
  'timestamp with time zone': 'timestamptz',
  jsonb: 'jsonb',
  bytea: 'bytea',
  inet: 'inet',
  'character(3)': 'bpchar',
};

/** The table as the engine's catalogue reader would describe it. */
function tableSchema(table: Table): TableSchema {
  return {
    schema: 'public',
    name: table.name,
    primaryKey: table.primaryKey,
    columns: Object.entries(table.columns).map(([name, column]) =>
      isEnumType(column.type)
        ? { name, type: column.type.name, isEnum: true }
        : { name, type: TYPNAME[column.type] },
    ),
  };
}

function viewer(userId: string | null, siteRole: Viewer['siteRole'], size: number): Viewer {
  const facts: Partial<Record<FactName, string[]>> = {};
  for (const fact of FACT_ORDER) facts[fact] = Array.from({ length: size }, () => newId()).sort();
  return { userId, siteRole, facts };
}

describe('named shapes against the engine', () => {
  it('[GW3] every shape, for anonymous, member and moderator viewers, is a valid engine definition', () => {
    const viewers = [0, 3].flatMap((size) => [
      viewer(null, 'member', size),
      viewer(newId(), 'member', size),
      viewer(newId(), 'moderator', size),
    ]);
    for (const shape of namedShapes) {
      const lookup = () => tableSchema(shape.table);
      for (const v of viewers) {
        if (v.userId === null && shape.access === 'signed-in') continue;
        const query = shapeQuery(shape, v);
        const upstream = upstreamQuery(query);
        const params: Record<string, string> = {};
        for (const [key, value] of upstream) if (key.startsWith('params[')) params[key.slice(7, -1)] = value;
        const validated = validateShapeDefinition(
          {
            table: upstream.get('table') ?? undefined,
            columns: upstream.get('columns') ?? undefined,
            where: upstream.get('where') ?? undefined,
            params,
          },
          lookup,
        );
        if (!validated.ok)
          throw new Error(`${shape.name}: ${JSON.stringify(validated.error.body)} for ${query.where}`);
        expect(validated.value.columns).toEqual(query.columns);
      }
    }
  });
});
