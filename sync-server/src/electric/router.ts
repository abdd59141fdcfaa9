// Routes a row change to the shapes it concerns, at a cost of O(shapes it matches) for shapes whose
// where clause pins a column to constants (SPEC.md SE18–SE19). Electric calls these "optimised"
// where clauses: `col = const`, `col IN (...)`, `col = ANY('{...}')`, and AND/OR of them.
import type { WhereExpr } from './where-ast';
import type { Row, TableRef } from './table-schema';
import { compileWhere, type RowPredicate } from './where-eval';
import { FAMILY_OF, parseValue, valueKey, widen, type Family, type ScalarType } from './values';

/** What a change is for one shape (SE18); move-in is sent as an insert, move-out as a delete. */
export type RouteKind = 'insert' | 'update' | 'delete' | 'move-in' | 'move-out';

export interface Routed {
  readonly shapeId: string;
  readonly kind: RouteKind;
}

/** `where` implies that `column`, read as `type` and compared as `family`, equals one of `keys`. */
interface IndexAtom {
  readonly column: string;
  readonly type: ScalarType;
  readonly family: Family;
  readonly keys: readonly string[];
}

interface ColumnIndex {
  readonly column: string;
  readonly type: ScalarType;
  readonly family: Family;
  readonly buckets: Map<string, Set<string>>;
}

interface TableRoutes {
  /** Shapes without a where clause: every change of the table is theirs. */
  readonly unconditional: Set<string>;
  /** Shapes whose where clause gives no index atom: evaluated on every change of the table. */
  readonly fallback: Set<string>;
  readonly indexes: Map<string, ColumnIndex>;
}

interface ShapeEntry {
  readonly tableKey: string;
  readonly predicate: RowPredicate | null;
  readonly atoms: readonly IndexAtom[] | null;
}

export class ShapeRouter {
  private readonly tables = new Map<string, TableRoutes>();
  private readonly shapes = new Map<string, ShapeEntry>();

  get size(): number {
    return this.shapes.size;
  }

  add(shapeId: string, table: TableRef, where: WhereExpr | null): void {
    if (this.shapes.has(shapeId)) throw new Error(`shape ${shapeId} is already routed`);
    const tableKey = keyOfTable(table);
    const routes = this.routesFor(tableKey);
    const atoms = where === null ? null : indexAtoms(where);
    this.shapes.set(shapeId, { tableKey, predicate: where === null ? null : compileWhere(where), atoms });
    if (where === null) routes.unconditional.add(shapeId);
    else if (atoms === null) routes.fallback.add(shapeId);
    else {
      for (const atom of atoms) {
        const index = getOrCreate(routes.indexes, indexKey(atom), () => ({ ...atom, buckets: new Map() }));
        for (const key of atom.keys) getOrCreate(index.buckets, key, () => new Set<string>()).add(shapeId);
      }
    }
  }

  remove(shapeId: string): boolean {
    const entry = this.shapes.get(shapeId);
    if (!entry) return false;
    this.shapes.delete(shapeId);
    const routes = this.tables.get(entry.tableKey);
    if (!routes) return true;
    routes.unconditional.delete(shapeId);
    routes.fallback.delete(shapeId);
    for (const atom of entry.atoms ?? []) {
      const index = routes.indexes.get(indexKey(atom));
      if (!index) continue;
      for (const key of atom.keys) {
        const bucket = index.buckets.get(key);
        bucket?.delete(shapeId);
        if (bucket?.size === 0) index.buckets.delete(key);
      }
      if (index.buckets.size === 0) routes.indexes.delete(indexKey(atom));
    }
    if (routes.unconditional.size + routes.fallback.size + routes.indexes.size === 0) {
      this.tables.delete(entry.tableKey);
    }
    return true;
  }

  /**
   * The shapes a change concerns: an insert has no old row, a delete no new row (REPLICA IDENTITY
   * FULL gives the whole old row of updates and deletes).
   */
  route(table: TableRef, oldRow: Row | null, newRow: Row | null): Routed[] {
    const routes = this.tables.get(keyOfTable(table));
    if (!routes || (oldRow === null && newRow === null)) return [];
    const out: Routed[] = [];
    const plain: RouteKind = oldRow === null ? 'insert' : newRow === null ? 'delete' : 'update';
    for (const shapeId of routes.unconditional) out.push({ shapeId, kind: plain });

    const candidates = new Set<string>(routes.fallback);
    if (routes.indexes.size > 0) {
      if (oldRow) collectCandidates(routes.indexes, oldRow, candidates);
      if (newRow) collectCandidates(routes.indexes, newRow, candidates);
    }
    for (const shapeId of candidates) {
      const predicate = (this.shapes.get(shapeId) as ShapeEntry).predicate as RowPredicate;
      const inOld = oldRow !== null && predicate(oldRow) === true;
      const inNew = newRow !== null && predicate(newRow) === true;
      const kind = classify(inOld, inNew, plain);
      if (kind) out.push({ shapeId, kind });
    }
    return out;
  }

  private routesFor(tableKey: string): TableRoutes {
    return getOrCreate(this.tables, tableKey, () => ({
      unconditional: new Set<string>(),
      fallback: new Set<string>(),
      indexes: new Map<string, ColumnIndex>(),
    }));
  }
}

function classify(inOld: boolean, inNew: boolean, plain: RouteKind): RouteKind | undefined {
  if (inOld && inNew) return 'update';
  if (inOld) return plain === 'update' ? 'move-out' : 'delete';
  if (inNew) return plain === 'update' ? 'move-in' : 'insert';
  return undefined;
}

function collectCandidates(indexes: ReadonlyMap<string, ColumnIndex>, row: Row, into: Set<string>): void {
  for (const index of indexes.values()) {
    const text = row[index.column];
    if (text === null || text === undefined) continue;
    const key = valueKey(
      index.family,
      widen(parseValue(index.type, text), FAMILY_OF[index.type], index.family),
    );
    const bucket = index.buckets.get(key);
    if (bucket) for (const shapeId of bucket) into.add(shapeId);
  }
}

/**
 * The index atoms a where clause implies, or null when it pins no column (then the shape goes to
 * the fallback list). An empty list means the clause can never be TRUE (`col = NULL`). Only a bare
 * column is pinned: `lower(col) = 'a'` holds for `col = 'A'` too, so a function of a column is none.
 */
export function indexAtoms(expr: WhereExpr): IndexAtom[] | null {
  switch (expr.kind) {
    case 'bool-column':
      return [{ column: expr.column, type: 'bool', family: 'bool', keys: ['t'] }];
    case 'compare': {
      if (expr.op !== '=') return null;
      const [col, other] = expr.left.kind === 'column' ? [expr.left, expr.right] : [expr.right, expr.left];
      if (col.kind !== 'column' || other.kind !== 'const') return null;
      const keys = other.value === null ? [] : [valueKey(expr.family, other.value)];
      return [{ column: col.column, type: col.type, family: expr.family, keys }];
    }
    case 'in': {
      if (expr.subject.kind !== 'column') return null;
      const keys: string[] = [];
      for (const item of expr.list) {
        if (item.kind !== 'const') return null;
        if (item.value !== null) keys.push(valueKey(expr.family, item.value));
      }
      return [{ column: expr.subject.column, type: expr.subject.type, family: expr.family, keys }];
    }
    case 'quantified': {
      if (expr.quantifier !== 'any' || expr.op !== '=' || expr.subject.kind !== 'column') return null;
      const keys = expr.elements.flatMap((e) => (e === null ? [] : [valueKey(expr.family, e)]));
      return [{ column: expr.subject.column, type: expr.subject.type, family: expr.family, keys }];
    }
    case 'and': {
      // One conjunct suffices: the shape is a candidate only when it holds; prefer the narrowest.
      let best: IndexAtom[] | null = null;
      for (const arg of expr.args) {
        const atoms = indexAtoms(arg);
        if (atoms !== null && (best === null || keyCount(atoms) < keyCount(best))) best = atoms;
      }
      return best;
    }
    case 'or': {
      const all: IndexAtom[] = [];
      for (const arg of expr.args) {
        const atoms = indexAtoms(arg);
        if (atoms === null) return null;
        all.push(...atoms);
      }
      return all;
    }
    default:
      return null;
  }
}

function keyCount(atoms: readonly IndexAtom[]): number {
  return atoms.reduce((n, a) => n + a.keys.length, 0);
}

function indexKey(atom: Pick<IndexAtom, 'column' | 'type' | 'family'>): string {
  return `${atom.column}\u0000${atom.type}\u0000${atom.family}`;
}

function keyOfTable(table: TableRef): string {
  return `${table.schema}\u0000${table.name}`;
}

function getOrCreate<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = create();
    map.set(key, value);
  }
  return value;
}
