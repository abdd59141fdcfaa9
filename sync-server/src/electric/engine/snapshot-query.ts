// The initial snapshot's SELECT for a shape (SPEC.md SE31, SE51), pure. The where clause is never sent
// to Postgres as text (Invariant 1): rows are filtered by the same evaluator as live changes, so the
// snapshot and the stream agree on every row. When the clause pins a column to constants (the routing
// index's atoms, SE19), a prefilter `col = any($n::type[])` with the constants as parameters lets
// Postgres use an index; it only narrows to a superset, the evaluator decides.
import { indexAtoms } from '../router';
import type { ShapeDefinition } from '../shape-request';
import type { SnapshotQuery } from '../snapshot/take';
import { referencedColumns } from '../where-ast';
import type { Family, ScalarType } from '../values';
import pg from 'pg';

/** Families whose index keys are valid Postgres input for this array type, per column type. */
function prefilterType(family: Family, columnType: ScalarType): string | undefined {
  if (family === 'int' && (columnType === 'int2' || columnType === 'int4' || columnType === 'int8')) {
    return 'int8';
  }
  if (family === 'text' && (columnType === 'text' || columnType === 'varchar')) return 'text';
  if (family === 'uuid' && columnType === 'uuid') return 'uuid';
  if (family === 'bool' && columnType === 'bool') return 'bool';
  return undefined;
}

export function snapshotQuery(definition: ShapeDefinition): SnapshotQuery {
  const table = { schema: definition.table.schema, name: definition.table.name };
  // changes_only: no rows, only the snapshot's position (SE38).
  if (definition.log === 'changes_only') return { table, columns: definition.columns, where: 'false' };
  const needed = new Set(definition.columns);
  if (definition.where) for (const c of referencedColumns(definition.where)) needed.add(c);
  const columns = definition.table.columns.map((c) => c.name).filter((c) => needed.has(c));
  const prefilter = definition.where ? buildPrefilter(definition) : undefined;
  return prefilter ? { table, columns, ...prefilter } : { table, columns };
}

/** A Postgres array literal of text elements, each quoted: `{"a","b \\"c\\""}`. */
export function arrayLiteral(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`).join(',')}}`;
}

function buildPrefilter(definition: ShapeDefinition): { where: string; params: string[] } | undefined {
  const atoms = indexAtoms(definition.where as NonNullable<ShapeDefinition['where']>);
  if (atoms === null) return undefined;
  if (atoms.length === 0) return { where: 'false', params: [] };
  const clauses: string[] = [];
  const params: string[] = [];
  for (const atom of atoms) {
    const type = prefilterType(atom.family, atom.type);
    if (type === undefined) return undefined;
    params.push(arrayLiteral(atom.keys));
    // An enum is compared by its label (SE9: `col::text`); Postgres has no `enum = text` operator.
    const isEnum = definition.table.columns.some((c) => c.name === atom.column && c.isEnum === true);
    const subject = `${pg.escapeIdentifier(atom.column)}${isEnum ? '::text' : ''}`;
    clauses.push(`${subject} = any($${params.length}::${type}[])`);
  }
  return { where: clauses.length === 1 ? (clauses[0] as string) : `(${clauses.join(' or ')})`, params };
}
