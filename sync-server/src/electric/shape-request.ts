// Validates a `GET /v1/shape` query into a typed request, or the 400 body Electric writes
// (`{"message":"Invalid request","errors":{<param>:[...]}}`), in Electric's order of checks
// (Electric.Shapes.Api.Params.validate; SPEC.md SE1–SE6).
import { createHash } from 'node:crypto';
import { parseColumnList, parseRelation } from './identifiers';
import { BEFORE_ALL, INVALID_OFFSET_MESSAGE, parseOffset, type RequestOffset } from './offset';
import { quoteRelation, type TableRef, type TableSchema } from './table-schema';
import { canonicalWhere, type WhereExpr } from './where-ast';
import { parseWhere, WhereError, type Params } from './where-parse';

export type Replica = 'default' | 'full';
export type LogMode = 'full' | 'changes_only';

export interface ShapeDefinition {
  readonly table: TableSchema;
  /** Selected columns in table order (all of them when the request names none). */
  readonly columns: readonly string[];
  /** Whether `columns` was given: Electric keeps "all columns" and "these columns" as distinct shapes. */
  readonly explicitColumns: boolean;
  readonly where: WhereExpr | null;
  readonly whereText: string | null;
  readonly params: Params;
  readonly replica: Replica;
  readonly log: LogMode;
  /** Canonical text of the definition: equal iff the shapes are the same (whitespace, param spelling aside). */
  readonly key: string;
  /** Short stable hash of `key`, the first half of a handle. */
  readonly hash: string;
}

export interface ShapeRequest {
  readonly definition: ShapeDefinition;
  readonly offset: RequestOffset;
  /** Dropped for `-1` and `now`, as Electric does; required otherwise. */
  readonly handle: string | undefined;
  readonly live: boolean;
  readonly liveSse: boolean;
  readonly cursor: string | undefined;
}

export const SHAPE_REQUEST_ERROR_CODE = 'shape_invalid_request' as const;

export interface InvalidRequest {
  readonly status: 400;
  readonly code: typeof SHAPE_REQUEST_ERROR_CODE;
  readonly body: {
    readonly message: 'Invalid request';
    readonly errors: Readonly<Record<string, readonly string[]>>;
  };
}

export type Validated<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: InvalidRequest };

/** Reads the table's catalogue entry; undefined when it does not exist (the shell does the IO). */
export type TableLookup = (table: TableRef) => TableSchema | undefined;

export type Query = Readonly<Record<string, string | readonly string[] | undefined>>;

function invalid(errors: Record<string, string[]>): { ok: false; error: InvalidRequest } {
  return {
    ok: false,
    error: { status: 400, code: SHAPE_REQUEST_ERROR_CODE, body: { message: 'Invalid request', errors } },
  };
}

function single(value: string | readonly string[] | undefined): string | undefined {
  return typeof value === 'string' || value === undefined ? value : value[value.length - 1];
}

/** `params[1]=a&params[2]=b` (deepObject) as the query parser leaves them: keys `params[1]`, … */
export function paramsFromQuery(query: Query): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(query)) {
    const m = /^params\[(.*)\]$/.exec(name);
    const v = single(value);
    if (m && v !== undefined) params[m[1] as string] = v;
  }
  return params;
}

/** The whole request: offset, handle, live flags, then the shape definition. */
export function validateShapeRequest(query: Query, lookup: TableLookup): Validated<ShapeRequest> {
  const get = (name: string): string | undefined => single(query[name]);

  // Step 1, like Ecto's cast: every malformed param is reported together.
  const errors: Record<string, string[]> = {};
  const replica = get('replica') ?? 'default';
  if (replica !== 'default' && replica !== 'full') errors.replica = ['is invalid'];
  const log = get('log') ?? 'full';
  if (log !== 'full' && log !== 'changes_only') errors.log = ['is invalid'];
  const columnsText = get('columns');
  if (columnsText !== undefined) {
    const parsed = parseColumnList(columnsText);
    if (!parsed.ok) errors.columns = [parsed.message];
  }
  const offsetText = get('offset');
  if (offsetText === undefined || offsetText === '') errors.offset = ["can't be blank"];
  if (Object.keys(errors).length > 0) return invalid(errors);

  // Later steps stop at the first failure.
  const request = requestPart(query, offsetText as string);
  if (!request.ok) return request;

  const definition = validateShapeDefinition(
    {
      table: get('table'),
      columns: columnsText,
      where: get('where'),
      params: paramsFromQuery(query),
      replica: replica as Replica,
      log: log as LogMode,
    },
    lookup,
  );
  if (!definition.ok) return definition;
  return { ok: true, value: { ...request.value, definition: definition.value } };
}

type RequestPart = Omit<ShapeRequest, 'definition'>;

/** Offset, handle and the live flags, checked in Electric's order (after the params of step 1). */
function requestPart(query: Query, offsetText: string): Validated<RequestPart> {
  // Every live poll runs this: module functions, not closures made (and named, by tsx) per call.
  const offset = parseOffset(offsetText);
  if (offset === undefined) return invalid({ offset: [INVALID_OFFSET_MESSAGE] });
  const isStart = offset === 'now' || offset === BEFORE_ALL;
  const handle = isStart ? undefined : single(query.handle);
  if (!isStart && (handle === undefined || handle === ''))
    return invalid({ handle: ["can't be blank when offset != -1"] });
  const live = flag(query, 'live');
  if (live && offset === BEFORE_ALL) return invalid({ live: ["can't be true when offset == -1"] });
  if (live && offset === 'now') return invalid({ live: ["can't be true when offset is 'now'"] });
  const liveSse = flag(query, 'live_sse') || flag(query, 'experimental_live_sse');
  if (liveSse && !live) return invalid({ live_sse: ["can't be true unless live is also true"] });
  return { ok: true, value: { offset, handle, live, liveSse, cursor: single(query.cursor) } };
}

/** A bare `&live` or any value other than `false` means live (protocol doc §2.2). */
function flag(query: Query, name: string): boolean {
  const value = single(query[name]);
  return value !== undefined && value !== 'false';
}

/**
 * A request for a definition already validated (the same table, columns, where, params, replica and
 * log, against the same schema): only the per-request params are checked, with the same results as
 * `validateShapeRequest` gives, and the definition (its parse, key and hash) is reused as is.
 */
export function validateKnownDefinitionRequest(
  query: Query,
  definition: ShapeDefinition,
): Validated<ShapeRequest> {
  const offsetText = single(query.offset);
  if (offsetText === undefined || offsetText === '') return invalid({ offset: ["can't be blank"] });
  const request = requestPart(query, offsetText);
  return request.ok ? { ok: true, value: { ...request.value, definition } } : request;
}

export interface DefinitionInput {
  readonly table: string | undefined;
  readonly columns?: string | undefined;
  readonly where?: string | undefined;
  readonly params?: Params;
  readonly replica?: Replica;
  readonly log?: LogMode;
}

/** The shape definition alone: table, columns, where + params, replica, log mode. */
export function validateShapeDefinition(
  input: DefinitionInput,
  lookup: TableLookup,
): Validated<ShapeDefinition> {
  if (input.table === undefined || input.table === '') return invalid({ table: ["can't be blank"] });
  const relation = parseRelation(input.table);
  if (!relation.ok) return invalid({ table: [relation.message] });
  const table = lookup(relation.value);
  if (!table) {
    return invalid({
      table: [
        `Table ${quoteRelation(relation.value)} does not exist. If the table name contains capitals or special characters you must quote it.`,
      ],
    });
  }

  let columns = table.columns.map((c) => c.name);
  if (input.columns !== undefined) {
    const parsed = parseColumnList(input.columns);
    if (!parsed.ok) return invalid({ columns: [parsed.message] });
    const message = columnsError(table, parsed.value);
    if (message) return invalid({ columns: [message] });
    const wanted = new Set([...parsed.value, ...table.primaryKey]);
    columns = columns.filter((c) => wanted.has(c));
  }

  const params = input.params ?? {};
  let where: WhereExpr | null = null;
  if (input.where !== undefined) {
    try {
      where = parseWhere(input.where, table, params);
    } catch (error) {
      if (error instanceof WhereError) return invalid({ where: [error.message] });
      throw error;
    }
  }

  const replica = input.replica ?? 'default';
  const log = input.log ?? 'full';
  const explicitColumns = input.columns !== undefined;
  const key = JSON.stringify([
    table.schema,
    table.name,
    explicitColumns ? columns : null,
    where === null ? null : canonicalWhere(where),
    replica,
    log,
  ]);
  return {
    ok: true,
    value: {
      table,
      columns,
      explicitColumns,
      where,
      whereText: input.where ?? null,
      params: where === null ? {} : params,
      replica,
      log,
      key,
      hash: definitionHash(key),
    },
  };
}

function columnsError(table: TableSchema, requested: readonly string[]): string | undefined {
  if (requested.length === 0) return 'The list of columns must not be empty';
  const missingPk = table.primaryKey.filter((pk) => !requested.includes(pk));
  if (missingPk.length > 0) {
    return `The list of columns must include all primary key columns, missing: ${missingPk.join(', ')}`;
  }
  const known = new Set(table.columns.map((c) => c.name));
  const unknown = requested.filter((c) => !known.has(c));
  if (unknown.length > 0) return `The following columns are not found on the table: ${unknown.join(', ')}`;
  return undefined;
}

/** A decimal 32-bit hash of the definition key (Electric's handles start with a phash2 integer). */
export function definitionHash(key: string): string {
  return String(createHash('sha256').update(key).digest().readUInt32BE(0));
}

/** `<hash>-<µs since epoch>`: unique per shape instance, so a rotated shape never reuses a handle. */
export function makeHandle(hash: string, nowMicros: bigint): string {
  return `${hash}-${nowMicros}`;
}
