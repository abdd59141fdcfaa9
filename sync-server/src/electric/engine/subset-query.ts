// Reads a subset snapshot of a shape (SPEC.md SE38; protocol doc §2.9) in a fresh REPEATABLE READ
// snapshot. The shape's and the subset's where clauses are evaluated here, as for every snapshot
// (SE51): Postgres only prefilters, orders and streams; offset and limit count the rows that match,
// and the cursor stops once the limit is reached. The shape's log is not touched.
import type pg from 'pg';
import { encodeSubsetRow, type ShapeEncoding, type SubsetMetadata } from '../messages';
import { orderBySql } from '../order-by';
import type { ShapeDefinition } from '../shape-request';
import { takeSnapshot, type SnapshotQuery } from '../snapshot/take';
import type { Subset } from '../subset';
import { compileWhere, rowMatches, type RowPredicate } from '../where-eval';
import type { WhereExpr } from '../where-ast';
import { snapshotQuery } from './snapshot-query';
import { quoteIdentifier } from '../table-schema';

export interface SubsetShape {
  readonly definition: ShapeDefinition;
  readonly encoding: ShapeEncoding;
  readonly predicate: RowPredicate | null;
}

export interface SubsetSnapshot {
  readonly metadata: SubsetMetadata;
  /** The rows as JSON messages, in order. */
  readonly rows: readonly string[];
}

/** The SELECT: the columns and prefilter of both clauses, in the subset's order, for any log mode. */
export function subsetQuery(definition: ShapeDefinition, subset: Subset): SnapshotQuery {
  const clauses = [definition.where, subset.where].filter((w): w is WhereExpr => w !== null);
  const where: WhereExpr | null =
    clauses.length === 0
      ? null
      : clauses.length === 1
        ? (clauses[0] as WhereExpr)
        : { kind: 'and', args: clauses };
  // A changes_only shape has an empty snapshot of its own; its subsets read the table.
  const query = snapshotQuery({ ...definition, where, log: 'full' });
  return subset.orderBy.length > 0
    ? { ...query, orderBy: orderBySql(subset.orderBy, quoteIdentifier) }
    : query;
}

export async function takeSubset(
  pool: pg.Pool,
  shape: SubsetShape,
  subset: Subset,
  snapshotMark: number,
): Promise<SubsetSnapshot> {
  const own = subset.where ? compileWhere(subset.where) : null;
  const rows: string[] = [];
  let skip = subset.offset;
  const full = () => subset.limit !== undefined && rows.length >= subset.limit;
  const info = await takeSnapshot(pool, subsetQuery(shape.definition, subset), {
    start: () => undefined,
    rows: (batch) => {
      for (const row of batch) {
        if (!rowMatches(shape.predicate, row) || !rowMatches(own, row)) continue;
        if (skip > 0) {
          skip--;
          continue;
        }
        rows.push(encodeSubsetRow(shape.encoding, row, snapshotMark));
        if (full()) return 'enough';
      }
      return undefined;
    },
  });
  return {
    metadata: {
      xmin: info.snapshot.xmin,
      xmax: info.snapshot.xmax,
      xipList: info.snapshot.xip,
      snapshotMark,
      databaseLsn: info.walLsn,
    },
    rows,
  };
}
