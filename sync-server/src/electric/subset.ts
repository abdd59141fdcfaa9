// Subset snapshots (SPEC.md SE38; protocol doc §2.9): a request carrying `subset__*` params (GET) or
// a JSON body (POST) asks for the rows of a shape that also match its own where clause, ordered,
// offset and limited, read in a fresh snapshot. Here: reading those params from either place and
// validating them against the shape's table, with the 400 bodies Electric writes
// (`{"message":"Invalid request","errors":{"subset":{<field>:[…]}}}`, Electric.Shapes.Api.Params).
import { parseColumnList } from './identifiers';
import { parseOrderBy, OrderByError, type OrderTerm } from './order-by';
import type { ShapeDefinition } from './shape-request';
import { referencedColumns, type WhereExpr } from './where-ast';
import { displayIdentifier, parseWhere, WhereError, type Params } from './where-parse';

/** The subset params as sent, not yet checked. */
export interface SubsetInput {
  /** The shape's `queryable_columns` param: what a subset may filter and order by. */
  readonly queryableColumns?: string;
  readonly where?: unknown;
  readonly params?: unknown;
  readonly limit?: unknown;
  readonly offset?: unknown;
  readonly orderBy?: unknown;
}

export interface Subset {
  /** The subset's own clause; the shape's where applies too. */
  readonly where: WhereExpr | null;
  readonly orderBy: readonly OrderTerm[];
  readonly limit: number | undefined;
  readonly offset: number;
}

export type SubsetErrors = Readonly<Record<string, readonly string[]>>;

export type ValidatedSubset =
  { readonly ok: true; readonly value: Subset } | { readonly ok: false; readonly errors: SubsetErrors };

type Query = Readonly<Record<string, string | readonly string[] | undefined>>;

const QUERY_FIELDS = {
  where: 'subset__where',
  params: 'subset__params',
  limit: 'subset__limit',
  offset: 'subset__offset',
  orderBy: 'subset__order_by',
} as const;

const SUBSET_PARAMS: readonly string[] = Object.values(QUERY_FIELDS);

function single(value: string | readonly string[] | undefined): string | undefined {
  return typeof value === 'string' || value === undefined ? value : value[value.length - 1];
}

/** Whether a GET names a subset: checked on every request, so nothing is allocated to say no. */
export function namesSubset(query: Query): boolean {
  for (const name of SUBSET_PARAMS) if (query[name] !== undefined) return true;
  return false;
}

/** The subset of a GET, or undefined when it names none (`subset__where_expr` alone is the client's). */
export function subsetFromQuery(query: Query): SubsetInput | undefined {
  const input: Record<string, string> = {};
  for (const [field, name] of Object.entries(QUERY_FIELDS)) {
    const value = single(query[name]);
    if (value !== undefined) input[field] = value;
  }
  return Object.keys(input).length > 0 ? withQueryable(input, query) : undefined;
}

/** The subset with the shape's `queryable_columns`, which stays in the query of a POST too. */
export function withQueryable(input: SubsetInput, query: Query): SubsetInput {
  const queryable = single(query.queryable_columns);
  return queryable === undefined ? input : { ...input, queryableColumns: queryable };
}

/** A POST body: the fields at the top, or nested as `{"subset": {…}}`; anything but an object is refused. */
export function subsetFromBody(
  body: unknown,
  query: Query = {},
):
  { readonly ok: true; readonly value: SubsetInput } | { readonly ok: false; readonly errors: SubsetErrors } {
  if (!isObject(body)) return { ok: false, errors: { body: ['must be a JSON object'] } };
  const fields = isObject(body.subset) ? body.subset : body;
  return {
    ok: true,
    value: withQueryable(
      {
        where: fields.where,
        params: fields.params,
        limit: fields.limit,
        offset: fields.offset,
        orderBy: fields.order_by,
      },
      query,
    ),
  };
}

/**
 * Checks the subset in Electric's order (limit, offset, order_by required with either; then the
 * order_by and where against the table) and parses it. The subset may refer only to the
 * `queryable_columns`, which default to the shape's `columns` when it names them.
 */
export function validateSubset(input: SubsetInput, definition: ShapeDefinition): ValidatedSubset {
  const errors: Record<string, string[]> = {};
  const limit = integer(input.limit);
  if (limit === 'invalid') errors.limit = ['is invalid'];
  else if (limit !== undefined && limit <= 0) errors.limit = ['must be greater than 0'];
  const offset = integer(input.offset);
  if (offset === 'invalid') errors.offset = ['is invalid'];
  else if (offset !== undefined && offset < 0) errors.offset = ['must be greater than or equal to 0'];
  if (input.orderBy !== undefined && typeof input.orderBy !== 'string') errors.order_by = ['is invalid'];
  else if ((input.limit !== undefined || input.offset !== undefined) && !input.orderBy) {
    errors.order_by = ['order_by is required when limit or offset is present'];
  }
  if (input.where !== undefined && typeof input.where !== 'string') errors.where = ['is invalid'];
  const params = subsetParams(input.params);
  if (typeof params === 'string') errors.params = [params];
  if (Object.keys(errors).length > 0) return { ok: false, errors };

  const allowed = queryable(input.queryableColumns, definition);
  if (typeof allowed === 'string') return { ok: false, errors: { queryable_columns: [allowed] } };
  let orderBy: readonly OrderTerm[] = [];
  let where: WhereExpr | null = null;
  try {
    if (input.orderBy) orderBy = parseOrderBy(input.orderBy as string, definition.table, allowed);
    if (input.where) where = parseWhere(input.where as string, definition.table, params as Params);
  } catch (error) {
    if (error instanceof OrderByError) return { ok: false, errors: { order_by: [error.message] } };
    if (error instanceof WhereError) return { ok: false, errors: { where: [error.message] } };
    throw error;
  }
  const outside = where ? [...referencedColumns(where)].filter((c) => allowed && !allowed.has(c)) : [];
  if (outside.length > 0) {
    const names = outside.map(displayIdentifier).join(', ');
    return { ok: false, errors: { where: [`the subset may not refer to the column(s) ${names}`] } };
  }
  return {
    ok: true,
    value: {
      where,
      orderBy,
      limit: limit as number | undefined,
      offset: (offset as number | undefined) ?? 0,
    },
  };
}

/**
 * The columns a subset may name: `queryable_columns` when given (known columns of the table), else
 * the shape's `columns` when it names them, else all (undefined). A message when the list is bad.
 */
function queryable(
  text: string | undefined,
  definition: ShapeDefinition,
): ReadonlySet<string> | undefined | string {
  if (text === undefined) return definition.explicitColumns ? new Set(definition.columns) : undefined;
  const parsed = parseColumnList(text);
  if (!parsed.ok) return parsed.message;
  const known = new Set(definition.table.columns.map((c) => c.name));
  const unknown = parsed.value.filter((c) => !known.has(c));
  if (unknown.length > 0) {
    return `The following columns are not found on the table: ${unknown.map(displayIdentifier).join(', ')}`;
  }
  return new Set(parsed.value);
}

/** A whole number given as a JSON number or as decimal text (a query param). */
function integer(value: unknown): number | undefined | 'invalid' {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) ? n : 'invalid';
}

/**
 * `subset__params` is a JSON object as text (`{"1":"a"}`), a POST body's an object; values are
 * strings or numbers (a bigint arrives as a number or its text). Returns the message when invalid.
 */
function subsetParams(value: unknown): Params | string {
  if (value === undefined || value === null) return {};
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      return 'params must be valid JSON';
    }
  }
  if (!isObject(parsed)) return 'params must be a JSON object';
  const params: Record<string, string> = {};
  for (const [name, v] of Object.entries(parsed)) {
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
      return `params: the value of ${name} must be a string or a number`;
    }
    params[name] = String(v);
  }
  return params;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
