// The JSON messages of the shape log and its control messages, byte for byte as Electric writes them
// (SPEC.md SE21–SE25, protocol doc §2.5–2.6). Each entry is encoded once, when appended to the log,
// and served as stored text, so chunks stay byte-identical across requests.
import type { Row, TableRef, TableSchema } from './table-schema';
import type { RouteKind } from './router';
import type { LogOffset } from './offset';
import { compareCodePoints } from './values';

export type Operation = 'insert' | 'update' | 'delete';

/** How one shape writes its rows: its table, projection (table order) and replica mode. */
export interface ShapeEncoding {
  readonly table: TableRef;
  /** Key columns: the primary key, or every column (sorted by name) for a table without one. */
  readonly keyColumns: readonly string[];
  /** Selected columns in table order; they always include the primary key. */
  readonly columns: readonly string[];
  readonly replica: 'default' | 'full';
}

export function shapeEncoding(
  table: TableSchema,
  columns: readonly string[],
  replica: 'default' | 'full',
): ShapeEncoding {
  // Electric sorts names as bytes (UTF-8), which is code point order.
  const keyColumns = table.primaryKey.length > 0 ? table.primaryKey : [...columns].sort(compareCodePoints);
  return { table: { schema: table.schema, name: table.name }, keyColumns, columns, replica };
}

/** One encoded log entry: its offset and the exact JSON text served for it. */
export interface LogEntry {
  readonly offset: LogOffset;
  readonly key: string;
  readonly operation: Operation;
  readonly json: string;
}

/**
 * `"schema"."table"/"pk1"/"pk2"`: in names `/` and `.` are doubled, in key values `/` is doubled,
 * a NULL key part is `_` (protocol doc §2.5; Electric's Changes.build_key).
 */
export function rowKey(table: TableRef, keyColumns: readonly string[], row: Row): string {
  let key = `"${escapeRelationPart(table.schema)}"."${escapeRelationPart(table.name)}"`;
  for (const column of keyColumns) {
    const value = row[column];
    key += value === null || value === undefined ? '/_' : `/"${value.replaceAll('/', '//')}"`;
  }
  return key;
}

function escapeRelationPart(name: string): string {
  return name.replaceAll('/', '//').replaceAll('.', '..');
}

/** The headers a change carries beyond its operation: where it sits in the replication stream. */
export interface ChangeContext {
  /** Commit LSN of the transaction, the offset's tx part, sent as a decimal string. */
  readonly lsn: bigint;
  /** Position of the change in its transaction (offset op part); a key change also uses op + 1. */
  readonly opPosition: number;
  /** The 32-bit xid from pgoutput's Begin message. */
  readonly txid: number;
  /** Whether this is the shape's last change of the transaction: `last: true` goes on its last entry. */
  readonly last: boolean;
}

/**
 * Encodes a routed change for one shape: 0 entries (an update that changes no selected column),
 * 1, or 2 (an update that changes the primary key: delete + insert with key_change_to/from).
 */
export function encodeChange(
  shape: ShapeEncoding,
  kind: RouteKind,
  oldRow: Row | null,
  newRow: Row | null,
  ctx: ChangeContext,
): LogEntry[] {
  switch (kind) {
    case 'insert':
    case 'move-in':
      return [
        entry(
          shape,
          'insert',
          rowKey(shape.table, shape.keyColumns, need(newRow)),
          project(shape, need(newRow)),
          ctx,
          ctx.opPosition,
          ctx.last,
        ),
      ];
    case 'delete':
    case 'move-out': {
      const old = need(oldRow);
      return [
        entry(
          shape,
          'delete',
          rowKey(shape.table, shape.keyColumns, old),
          deleteValue(shape, old),
          ctx,
          ctx.opPosition,
          ctx.last,
        ),
      ];
    }
    case 'update':
      return encodeUpdate(shape, need(oldRow), need(newRow), ctx);
  }
}

function encodeUpdate(shape: ShapeEncoding, oldRow: Row, newRow: Row, ctx: ChangeContext): LogEntry[] {
  const oldKey = rowKey(shape.table, shape.keyColumns, oldRow);
  const newKey = rowKey(shape.table, shape.keyColumns, newRow);
  if (oldKey !== newKey) {
    return [
      entry(shape, 'delete', oldKey, deleteValue(shape, oldRow), ctx, ctx.opPosition, false, {
        key_change_to: newKey,
      }),
      entry(shape, 'insert', newKey, project(shape, newRow), ctx, ctx.opPosition + 1, ctx.last, {
        key_change_from: oldKey,
      }),
    ];
  }
  const changed = shape.columns.filter((c) => (oldRow[c] ?? null) !== (newRow[c] ?? null));
  if (changed.length === 0) return [];
  if (shape.replica === 'full') {
    const oldValue: Record<string, string | null> = {};
    for (const c of changed) oldValue[c] = oldRow[c] ?? null;
    return [
      entry(
        shape,
        'update',
        newKey,
        project(shape, newRow),
        ctx,
        ctx.opPosition,
        ctx.last,
        undefined,
        oldValue,
      ),
    ];
  }
  const keep = new Set([...shape.keyColumns, ...changed]);
  const value = pick(
    newRow,
    shape.columns.filter((c) => keep.has(c)),
  );
  return [entry(shape, 'update', newKey, value, ctx, ctx.opPosition, ctx.last)];
}

function entry(
  shape: ShapeEncoding,
  operation: Operation,
  key: string,
  value: Record<string, string | null>,
  ctx: ChangeContext,
  op: number,
  last: boolean,
  keyChange?: { key_change_to: string } | { key_change_from: string },
  oldValue?: Record<string, string | null>,
): LogEntry {
  const headers = {
    operation,
    relation: [shape.table.schema, shape.table.name],
    ...keyChange,
    lsn: ctx.lsn.toString(),
    op_position: op,
    txids: [ctx.txid],
    ...(last ? { last: true } : {}),
  };
  const message = oldValue ? { headers, key, value, old_value: oldValue } : { headers, key, value };
  return { offset: { tx: ctx.lsn, op }, key, operation, json: JSON.stringify(message) };
}

/** A snapshot row: an insert with only operation and relation headers, at a virtual offset. */
export function encodeSnapshotRow(shape: ShapeEncoding, row: Row, offset: LogOffset): LogEntry {
  const key = rowKey(shape.table, shape.keyColumns, row);
  const message = {
    headers: { operation: 'insert', relation: [shape.table.schema, shape.table.name] },
    key,
    value: project(shape, row),
  };
  return { offset, key, operation: 'insert', json: JSON.stringify(message) };
}

/** A subset snapshot's row (SE38): an insert carrying its snapshot's mark; it is no log entry. */
export function encodeSubsetRow(shape: ShapeEncoding, row: Row, snapshotMark: number): string {
  return JSON.stringify({
    headers: {
      operation: 'insert',
      snapshot_mark: snapshotMark,
      relation: [shape.table.schema, shape.table.name],
    },
    key: rowKey(shape.table, shape.keyColumns, row),
    value: project(shape, row),
  });
}

/** Where a subset snapshot was read: its `pg_current_snapshot()`, WAL position and random mark. */
export interface SubsetMetadata {
  readonly xmin: bigint;
  readonly xmax: bigint;
  readonly xipList: readonly bigint[];
  readonly snapshotMark: number;
  readonly databaseLsn: bigint;
}

/**
 * A subset response (protocol doc §2.9): not an array but `{"metadata": …, "data": [rows]}`, the
 * xids and LSN as decimal strings (xid8 values pass 2^53), the mark a number.
 */
export function subsetBody(metadata: SubsetMetadata, rows: readonly string[]): string {
  const meta = JSON.stringify({
    xmin: metadata.xmin.toString(),
    xmax: metadata.xmax.toString(),
    xip_list: metadata.xipList.map(String),
    snapshot_mark: metadata.snapshotMark,
    database_lsn: metadata.databaseLsn.toString(),
  });
  return `{"metadata":${meta},"data":[${rows.join(',')}]}`;
}

// replica=default: a delete carries the key only; replica=full: the whole old row (projected).
function deleteValue(shape: ShapeEncoding, oldRow: Row): Record<string, string | null> {
  if (shape.replica === 'full') return project(shape, oldRow);
  return pick(
    oldRow,
    shape.columns.filter((c) => shape.keyColumns.includes(c)),
  );
}

function project(shape: ShapeEncoding, row: Row): Record<string, string | null> {
  return pick(row, shape.columns);
}

function pick(row: Row, columns: readonly string[]): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const c of columns) out[c] = row[c] ?? null;
  return out;
}

function need(row: Row | null): Row {
  if (row === null) throw new Error('the route kind needs a row that was not given');
  return row;
}

export function operationOf(kind: RouteKind): Operation {
  return kind === 'move-in' ? 'insert' : kind === 'move-out' ? 'delete' : kind;
}

// Control messages (SE25). `global_last_seen_lsn` is required in practice: pglite-sync throws without it.
export function upToDateMessage(globalLastSeenLsn: bigint): string {
  return JSON.stringify({
    headers: { control: 'up-to-date', global_last_seen_lsn: globalLastSeenLsn.toString() },
  });
}

export const MUST_REFETCH_BODY = JSON.stringify([{ headers: { control: 'must-refetch' } }]);

/** The last entry of every initial snapshot: its `pg_current_snapshot()` as xid8 strings. */
export function snapshotEndMessage(snapshot: {
  readonly xmin: bigint;
  readonly xmax: bigint;
  readonly xipList: readonly bigint[];
}): string {
  return JSON.stringify({
    headers: {
      control: 'snapshot-end',
      xmin: snapshot.xmin.toString(),
      xmax: snapshot.xmax.toString(),
      xip_list: snapshot.xipList.map(String),
    },
  });
}

/**
 * The LSN an up-to-date carries (protocol doc §2.11): a live response sends the shape's own tail, a
 * non-live one `max(global watermark, shape tail)` so MultiShapeStream can line shapes up.
 */
export function upToDateLsn(live: boolean, globalLastSeenLsn: bigint, shapeTailLsn: bigint): bigint {
  if (live) return shapeTailLsn;
  return globalLastSeenLsn > shapeTailLsn ? globalLastSeenLsn : shapeTailLsn;
}

/** A response body: entries (already JSON) joined into one array, plus an optional control message. */
export function responseBody(entries: readonly string[], control?: string): string {
  const parts = control === undefined ? entries : [...entries, control];
  return `[${parts.join(',')}]`;
}
