// A subset's `order_by` (SPEC.md SE38): parsed by the real Postgres parser as `SELECT 1 ORDER BY <text>`,
// like the where clause (SE7), into column terms. Only the parsed names reach Postgres, quoted again
// by the engine, never the client's text (Invariant 1).
import { loadModule, parseSync, hasSqlDetails } from 'libpg-query';
import type { Node, SelectStmt } from 'libpg-query';
import type { TableSchema } from './table-schema';
import { displayIdentifier } from './where-parse';

await loadModule();

const PREFIX = 'SELECT 1 ORDER BY ';

export interface OrderTerm {
  readonly column: string;
  readonly descending: boolean;
  /** Postgres' default when absent: NULLS LAST ascending, NULLS FIRST descending. */
  readonly nulls: 'first' | 'last' | undefined;
}

/** An `order_by` the engine cannot accept; `message` is what goes in `errors.subset.order_by`. */
export class OrderByError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OrderByError';
  }
}

/** Types Postgres has no ordering for: `order by` on them fails in Postgres itself. */
const UNORDERABLE = new Set(['json', 'xml', 'point', 'polygon', 'line', 'circle', 'box', 'lseg', 'path']);

/**
 * Parses `text` into terms over `table`'s columns that `allowed` lets a subset query (all when
 * undefined); throws OrderByError naming what is wrong and where (0-based, in the clause).
 */
export function parseOrderBy(
  text: string,
  table: TableSchema,
  allowed?: ReadonlySet<string>,
): readonly OrderTerm[] {
  const terms: OrderTerm[] = [];
  for (const item of sortItems(text)) {
    if (!('SortBy' in item)) throw new OrderByError('malformed order_by');
    const sort = item.SortBy;
    const at = locationOf(sort.node);
    if (sort.sortby_dir === 'SORTBY_USING') {
      throw new OrderByError(`At location ${at}: ORDER BY ... USING is not supported`);
    }
    const column = columnOf(sort.node, at);
    const known = table.columns.find((c) => c.name === column);
    if (!known || (allowed !== undefined && !allowed.has(column))) {
      throw new OrderByError(`At location ${at}: unknown reference ${displayIdentifier(column)}`);
    }
    const base = known.type.startsWith('_') ? '' : known.type;
    if (UNORDERABLE.has(base)) {
      throw new OrderByError(
        `At location ${at}: column ${displayIdentifier(column)} of type ${known.type} cannot be ordered`,
      );
    }
    terms.push({
      column,
      descending: sort.sortby_dir === 'SORTBY_DESC',
      nulls:
        sort.sortby_nulls === 'SORTBY_NULLS_FIRST'
          ? 'first'
          : sort.sortby_nulls === 'SORTBY_NULLS_LAST'
            ? 'last'
            : undefined,
    });
  }
  return terms;
}

/** The terms as SQL, every name quoted: what the engine appends to its own query. */
export function orderBySql(terms: readonly OrderTerm[], quote: (name: string) => string): string {
  return terms
    .map((t) => {
      const nulls = t.nulls === 'first' ? ' nulls first' : t.nulls === 'last' ? ' nulls last' : '';
      return `${quote(t.column)}${t.descending ? ' desc' : ''}${nulls}`;
    })
    .join(', ');
}

function sortItems(text: string): readonly Node[] {
  let stmts;
  try {
    stmts = parseSync(PREFIX + text).stmts ?? [];
  } catch (error) {
    if (!hasSqlDetails(error)) throw error;
    const at = Math.max(0, (error.sqlDetails?.cursorPosition ?? PREFIX.length) - PREFIX.length);
    throw new OrderByError(`At location ${at}: ${error.sqlDetails?.message ?? error.message}`);
  }
  if (stmts.length !== 1) throw new OrderByError('unescaped ";" causing statement split');
  const stmt = stmts[0]?.stmt;
  const select: SelectStmt | undefined = stmt && 'SelectStmt' in stmt ? stmt.SelectStmt : undefined;
  const items = select?.sortClause ?? [];
  if (!select || items.length === 0 || hasOtherClauses(select)) {
    throw new OrderByError('malformed order_by ending with SQL clauses');
  }
  return items;
}

function hasOtherClauses(s: SelectStmt): boolean {
  return (
    s.limitCount !== undefined ||
    s.limitOffset !== undefined ||
    s.lockingClause !== undefined ||
    (s.op !== undefined && s.op !== 'SETOP_NONE')
  );
}

function columnOf(node: Node | undefined, at: number): string {
  if (node && 'ColumnRef' in node) {
    const fields = node.ColumnRef.fields ?? [];
    const only = fields.length === 1 ? fields[0] : undefined;
    if (only && 'String' in only && only.String.sval !== undefined) return only.String.sval;
    throw new OrderByError(`At location ${at}: qualified column references are not supported`);
  }
  const kind = node ? (Object.keys(node)[0] ?? 'expression') : 'expression';
  throw new OrderByError(`At location ${at}: only columns can be ordered by, not ${kind}`);
}

/** A node's 0-based location in the clause (its statement location less the prefix). */
function locationOf(node: Node | undefined): number {
  const inner = node ? (Object.values(node)[0] as { location?: number } | undefined) : undefined;
  const location = inner?.location;
  return typeof location === 'number' && location >= PREFIX.length ? location - PREFIX.length : 0;
}
