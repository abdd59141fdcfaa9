// Pure assembly of pgoutput messages into whole transactions (SPEC.md RP3–RP6): changes are buffered
// from Begin to Commit and come out only at Commit, rows keyed by column name in Postgres text form.
// The IO shell resolves Relation messages (type names, primary key) and hands them in resolved.
import type { Lsn } from './lsn';
import {
  POSTGRES_EPOCH_MICROS,
  PgoutputDecodeError,
  type PgoutputMessage,
  type RelationColumnMessage,
  type RelationMessage,
  type ReplicaIdentity,
  type Tuple,
} from './pgoutput';

export interface RelationColumn {
  readonly name: string;
  readonly typeOid: number;
  /** `pg_type.typname`: `int4`, `_text` for text[], `mood` for a user enum. */
  readonly typeName: string;
  readonly typeMod: number;
}

export interface Relation {
  readonly oid: number;
  readonly schema: string;
  readonly table: string;
  /** In attribute order, as pgoutput sends them (dropped and generated columns left out). */
  readonly columns: readonly RelationColumn[];
  /** Primary-key columns in key order, read from the catalogue; empty when the table has none. */
  readonly keyColumns: readonly string[];
  readonly replicaIdentity: ReplicaIdentity;
}

/** Column name -> Postgres TEXT output exactly as pgoutput sent it, null for SQL NULL. */
export type Row = Record<string, string | null>;

export type Change =
  | { readonly kind: 'insert'; readonly relation: Relation; readonly newRow: Row }
  | {
      readonly kind: 'update';
      readonly relation: Relation;
      /** The whole old row under REPLICA IDENTITY FULL; absent when the identity is not FULL. */
      readonly oldRow?: Row;
      readonly newRow: Row;
      /**
       * Unchanged TOAST columns that could not be filled because there was no old row (identity not
       * FULL): left out of `newRow`. Never present on a table set up by `ensurePublication`.
       */
      readonly unchangedToastColumns?: readonly string[];
    }
  | {
      readonly kind: 'delete';
      readonly relation: Relation;
      /** The whole old row under REPLICA IDENTITY FULL; only the identity columns otherwise. */
      readonly oldRow: Row;
    }
  | { readonly kind: 'truncate'; readonly relation: Relation };

export interface Transaction {
  /** The 32-bit xid pgoutput's Begin carries (what Electric puts in `txids`). */
  readonly xid: number;
  /** LSN of the commit record (Begin.final_lsn): Electric's tx_offset. */
  readonly commitLsn: Lsn;
  /** End of the commit record: what the slot confirms once the transaction is acknowledged. */
  readonly endLsn: Lsn;
  readonly commitTime: Date;
  readonly changes: readonly Change[];
}

/** How a Relation message compares with what the stream said before about the same relation oid. */
export type RelationStatus = 'new' | 'changed' | 'same';

/** The shape of a relation that matters to shapes: any difference is a schema change (RP7). */
export function sameRelationShape(a: Relation, b: Relation): boolean {
  return (
    a.schema === b.schema &&
    a.table === b.table &&
    a.replicaIdentity === b.replicaIdentity &&
    a.columns.length === b.columns.length &&
    a.columns.every((c, i) => {
      const d = b.columns[i];
      return d !== undefined && c.name === d.name && c.typeOid === d.typeOid && c.typeMod === d.typeMod;
    }) &&
    a.keyColumns.length === b.keyColumns.length &&
    a.keyColumns.every((k, i) => k === b.keyColumns[i])
  );
}

/** Builds a Relation from its message, the type names known so far and the catalogue's primary key. */
export function buildRelation(
  message: RelationMessage,
  typeName: (column: RelationColumnMessage) => string,
  keyColumns: readonly string[],
): Relation {
  return {
    oid: message.oid,
    schema: message.schema,
    table: message.table,
    replicaIdentity: message.replicaIdentity,
    keyColumns,
    columns: message.columns.map((c) => ({
      name: c.name,
      typeOid: c.typeOid,
      typeMod: c.typeMod,
      typeName: typeName(c),
    })),
  };
}

function microsToDate(postgresMicros: bigint): Date {
  return new Date(Number((postgresMicros + POSTGRES_EPOCH_MICROS) / 1000n));
}

interface OpenTransaction {
  readonly xid: number;
  readonly finalLsn: Lsn;
  readonly changes: Change[];
}

/**
 * One per replication stream. `push` returns a Transaction at its Commit and nothing before; `abort`
 * forgets a transaction cut off by a lost connection (Postgres sends it again from its Begin).
 */
export class TransactionAssembler {
  private readonly relations = new Map<number, Relation>();
  /** Names from pgoutput Type messages: sent for every non-built-in type before its Relation. */
  readonly typeNames = new Map<number, string>();
  private open: OpenTransaction | undefined;

  get inTransaction(): boolean {
    return this.open !== undefined;
  }

  relation(oid: number): Relation | undefined {
    return this.relations.get(oid);
  }

  setRelation(relation: Relation): { status: RelationStatus; previous?: Relation } {
    const previous = this.relations.get(relation.oid);
    this.relations.set(relation.oid, relation);
    if (previous === undefined) return { status: 'new' };
    return { status: sameRelationShape(previous, relation) ? 'same' : 'changed', previous };
  }

  abort(): void {
    this.open = undefined;
  }

  push(message: PgoutputMessage): Transaction | undefined {
    switch (message.tag) {
      case 'begin':
        if (this.open)
          throw new PgoutputDecodeError(`Begin of xid ${message.xid} inside xid ${this.open.xid}`);
        this.open = { xid: message.xid, finalLsn: message.finalLsn, changes: [] };
        return undefined;
      case 'commit': {
        const open = this.requireOpen('Commit');
        if (message.commitLsn !== open.finalLsn) {
          throw new PgoutputDecodeError(
            `Commit LSN ${message.commitLsn} differs from the Begin's final LSN ${open.finalLsn}`,
          );
        }
        this.open = undefined;
        return {
          xid: open.xid,
          commitLsn: open.finalLsn,
          endLsn: message.endLsn,
          commitTime: microsToDate(message.commitTime),
          changes: open.changes,
        };
      }
      case 'type':
        this.typeNames.set(message.oid, message.name);
        return undefined;
      case 'relation':
        throw new PgoutputDecodeError(
          'a Relation message must be resolved by the stream and passed to setRelation',
        );
      case 'origin':
      case 'message':
        return undefined;
      case 'insert': {
        const relation = this.requireRelation(message.relationOid);
        this.requireOpen('Insert').changes.push({
          kind: 'insert',
          relation,
          newRow: toRow(relation, message.newTuple, 'new').row,
        });
        return undefined;
      }
      case 'update': {
        const relation = this.requireRelation(message.relationOid);
        const open = this.requireOpen('Update');
        const oldRow = message.oldTuple ? toRow(relation, message.oldTuple, 'old').row : undefined;
        const { row: newRow, missing } = toRow(relation, message.newTuple, 'new', oldRow);
        open.changes.push({
          kind: 'update',
          relation,
          newRow,
          ...(oldRow ? { oldRow } : {}),
          ...(missing.length > 0 ? { unchangedToastColumns: missing } : {}),
        });
        return undefined;
      }
      case 'delete': {
        const relation = this.requireRelation(message.relationOid);
        const open = this.requireOpen('Delete');
        const oldRow = message.oldTuple
          ? toRow(relation, message.oldTuple, 'old').row
          : keyRow(relation, message.keyTuple ?? []);
        open.changes.push({ kind: 'delete', relation, oldRow });
        return undefined;
      }
      case 'truncate': {
        const open = this.requireOpen('Truncate');
        for (const oid of message.relationOids) {
          open.changes.push({ kind: 'truncate', relation: this.requireRelation(oid) });
        }
        return undefined;
      }
    }
  }

  private requireOpen(what: string): OpenTransaction {
    if (!this.open) throw new PgoutputDecodeError(`${what} outside a transaction`);
    return this.open;
  }

  private requireRelation(oid: number): Relation {
    const relation = this.relations.get(oid);
    if (!relation) throw new PgoutputDecodeError(`change for relation ${oid} before its Relation message`);
    return relation;
  }
}

function checkWidth(relation: Relation, tuple: Tuple): void {
  if (tuple.length !== relation.columns.length) {
    throw new PgoutputDecodeError(
      `tuple of ${tuple.length} columns for "${relation.schema}"."${relation.table}" ` +
        `of ${relation.columns.length} columns`,
    );
  }
}

/**
 * Tuple -> Row. An unchanged TOAST value ('u') takes the old row's value: under REPLICA IDENTITY FULL
 * the old tuple is logged detoasted, so it always has it. Without an old row the column is left out
 * and reported in `missing`. Rows are built with fromEntries so a column named `__proto__` is kept.
 */
function toRow(
  relation: Relation,
  tuple: Tuple,
  which: 'old' | 'new',
  fallback?: Row,
): { row: Row; missing: string[] } {
  checkWidth(relation, tuple);
  const entries: [string, string | null][] = [];
  const missing: string[] = [];
  relation.columns.forEach((column, i) => {
    const value = tuple[i];
    if (value !== undefined) entries.push([column.name, value]);
    else if (which === 'new' && fallback && Object.hasOwn(fallback, column.name)) {
      entries.push([column.name, fallback[column.name] ?? null]);
    } else missing.push(column.name);
  });
  return { row: Object.fromEntries(entries), missing };
}

/** A 'K' tuple carries the replica-identity columns; the others are placeholders (null), left out. */
function keyRow(relation: Relation, tuple: Tuple): Row {
  checkWidth(relation, tuple);
  const entries: [string, string | null][] = [];
  relation.columns.forEach((column, i) => {
    const value = tuple[i];
    if (value !== undefined && value !== null) entries.push([column.name, value]);
  });
  return Object.fromEntries(entries);
}
