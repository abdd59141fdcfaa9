// Where clauses: parsed by the real Postgres parser (libpg-query, wasm) into the typed AST of
// where-ast.ts, validated against the table's columns and the `params[n]` values (SPEC.md SE7–SE11).
// Like Electric, the clause is parsed as `SELECT 1 WHERE <clause>`; syntax errors keep the parser's
// position in that statement, semantic errors report the position inside the clause.
import { loadModule, parseSync, hasSqlDetails } from 'libpg-query';
import type { A_Const, A_Expr, FuncCall, Node, SelectStmt, TypeName } from 'libpg-query';
import { parse as parseArrayLiteral } from 'postgres-array';
import type { CompareOp, FunctionName, Operand, WhereExpr } from './where-ast';
import type { TableColumn, TableSchema } from './table-schema';
import {
  commonFamily,
  FAMILY_OF,
  InvalidValueError,
  isScalarType,
  parseValue,
  widen,
  type Family,
  type ScalarType,
  type Value,
} from './values';
import { compileLike, DEFAULT_LIKE_ESCAPE, LikePatternError } from './like';
import { constantValue } from './where-eval';

// The wasm module loads once per process; every import of this file waits for it.
await loadModule();

const PREFIX = 'SELECT 1 WHERE ';

export const WHERE_ERROR_CODES = {
  syntax: 'where_syntax',
  unsupported: 'where_unsupported',
  unknownColumn: 'where_unknown_column',
  type: 'where_type_mismatch',
  literal: 'where_invalid_literal',
  param: 'where_param',
} as const;
export type WhereErrorCode = (typeof WHERE_ERROR_CODES)[keyof typeof WHERE_ERROR_CODES];

/** A where clause the engine cannot accept; `message` is the text Electric puts in `errors.where`. */
export class WhereError extends Error {
  constructor(
    readonly code: WhereErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'WhereError';
  }
}

export type Params = Readonly<Record<string, string>>;

/** Parses and type-checks `where` for `table`; throws WhereError. */
export function parseWhere(where: string, table: TableSchema, params: Params = {}): WhereExpr {
  const root = parseToNode(where);
  const converter = new Converter(table, params);
  const expr = converter.toBool(converter.term(root), 'WHERE');
  converter.checkParams();
  return expr;
}

function parseToNode(where: string): Node {
  let stmts;
  try {
    stmts = parseSync(PREFIX + where).stmts ?? [];
  } catch (error) {
    if (!hasSqlDetails(error)) throw error;
    const at = error.sqlDetails?.cursorPosition ?? 0;
    throw new WhereError(
      WHERE_ERROR_CODES.syntax,
      `At location ${at}: ${error.sqlDetails?.message ?? error.message}`,
    );
  }
  if (stmts.length !== 1) {
    throw new WhereError(WHERE_ERROR_CODES.syntax, 'unescaped ";" causing statement split');
  }
  const stmt = stmts[0]?.stmt;
  const select: SelectStmt | undefined = stmt && 'SelectStmt' in stmt ? stmt.SelectStmt : undefined;
  if (!select || hasTrailingClauses(select) || !select.whereClause) {
    throw new WhereError(WHERE_ERROR_CODES.syntax, 'malformed query ending with SQL clauses');
  }
  return select.whereClause;
}

function hasTrailingClauses(s: SelectStmt): boolean {
  return (
    (s.op !== undefined && s.op !== 'SETOP_NONE') ||
    !!s.fromClause?.length ||
    !!s.groupClause?.length ||
    !!s.sortClause?.length ||
    !!s.windowClause?.length ||
    !!s.lockingClause?.length ||
    !!s.distinctClause?.length ||
    s.havingClause !== undefined ||
    s.limitCount !== undefined ||
    s.limitOffset !== undefined ||
    s.withClause !== undefined ||
    s.intoClause !== undefined
  );
}

/** What a parse-tree node converts to before the context decides its type. */
type Term =
  | { readonly t: 'bool'; readonly expr: WhereExpr; readonly loc: number }
  | { readonly t: 'column'; readonly column: string; readonly type: ScalarType; readonly loc: number }
  | { readonly t: 'const'; readonly type: ScalarType; readonly value: Value | null; readonly loc: number }
  /** A string literal, a `$n` or NULL: typed by the other side, as Postgres types `unknown` literals. */
  | { readonly t: 'unknown'; readonly text: string | null; readonly loc: number }
  | {
      readonly t: 'array';
      readonly type: ScalarType;
      readonly values: readonly (Value | null)[];
      readonly loc: number;
    }
  | { readonly t: 'array-literal'; readonly items: readonly Term[]; readonly loc: number }
  | { readonly t: 'bad-column'; readonly column: TableColumn; readonly loc: number }
  /** A function call that reads the row (calls of constants are folded into constants). */
  | { readonly t: 'call'; readonly operand: CallOperand; readonly loc: number };

type CallOperand = Extract<Operand, { kind: 'call' }>;

const COMPARE_OPS: Readonly<Record<string, CompareOp>> = {
  '=': '=',
  '<>': '<>',
  '!=': '<>',
  '<': '<',
  '<=': '<=',
  '>': '>',
  '>=': '>=',
};

const TYPE_NAMES: Readonly<Record<string, ScalarType>> = {
  bool: 'bool',
  boolean: 'bool',
  int2: 'int2',
  smallint: 'int2',
  int4: 'int4',
  int: 'int4',
  integer: 'int4',
  int8: 'int8',
  bigint: 'int8',
  numeric: 'numeric',
  decimal: 'numeric',
  float4: 'float4',
  real: 'float4',
  float8: 'float8',
  text: 'text',
  varchar: 'varchar',
  bpchar: 'bpchar',
  char: 'bpchar',
  name: 'name',
  uuid: 'uuid',
  timestamptz: 'timestamptz',
  timestamp: 'timestamp',
  date: 'date',
};

// Column types whose pgoutput text equals Postgres' `::text` of the value, so `col::text` is exact.
const TEXT_CASTABLE = new Set<ScalarType>([
  'text',
  'varchar',
  'bpchar',
  'name',
  'uuid',
  'int2',
  'int4',
  'int8',
]);

const RECASTABLE = new Set<Family>(['int', 'numeric', 'float', 'bool', 'text']);

// Postgres' type categories, preferred types and implicit casts among the scalar types (pg_type,
// pg_cast with castcontext 'i'), for resolving the type of COALESCE.
const CATEGORY: Readonly<Record<ScalarType, string>> = {
  bool: 'B',
  int2: 'N',
  int4: 'N',
  int8: 'N',
  numeric: 'N',
  float4: 'N',
  float8: 'N',
  text: 'S',
  varchar: 'S',
  bpchar: 'S',
  name: 'S',
  uuid: 'U',
  timestamptz: 'D',
  timestamp: 'D',
  date: 'D',
};
const PREFERRED = new Set<ScalarType>(['bool', 'float8', 'text', 'timestamptz']);
const IMPLICIT_CASTS: Readonly<Record<ScalarType, readonly ScalarType[]>> = {
  bool: [],
  int2: ['int4', 'int8', 'numeric', 'float4', 'float8'],
  int4: ['int8', 'numeric', 'float4', 'float8'],
  int8: ['numeric', 'float4', 'float8'],
  numeric: ['float4', 'float8'],
  float4: ['float8'],
  float8: [],
  text: ['varchar', 'bpchar', 'name'],
  varchar: ['text', 'bpchar', 'name'],
  bpchar: ['text', 'varchar', 'name'],
  name: ['text'],
  uuid: [],
  timestamptz: [],
  timestamp: ['timestamptz'],
  date: ['timestamp', 'timestamptz'],
};

class Converter {
  private readonly columns: ReadonlyMap<string, TableColumn>;
  private readonly usedParams = new Set<number>();

  constructor(
    table: TableSchema,
    private readonly params: Params,
  ) {
    this.columns = new Map(table.columns.map((c) => [c.name, c]));
  }

  private fail(code: WhereErrorCode, loc: number, message: string): never {
    throw new WhereError(code, `At location ${Math.max(loc - PREFIX.length, 0)}: ${message}`);
  }

  term(node: Node): Term {
    if ('ColumnRef' in node) return this.columnRef(node.ColumnRef.fields ?? [], node.ColumnRef.location ?? 0);
    if ('A_Const' in node) return this.constant(node.A_Const);
    if ('ParamRef' in node) return this.param(node.ParamRef.number ?? 0, node.ParamRef.location ?? 0);
    if ('TypeCast' in node) {
      const { arg, typeName, location = 0 } = node.TypeCast;
      if (!arg || !typeName)
        this.fail(WHERE_ERROR_CODES.unsupported, location, 'TypeCast is not supported in this context');
      return this.cast(this.term(arg), typeName, location);
    }
    if ('BoolExpr' in node) {
      const { boolop, args = [], location = 0 } = node.BoolExpr;
      const name = boolop === 'AND_EXPR' ? 'AND' : boolop === 'OR_EXPR' ? 'OR' : 'NOT';
      const exprs = args.map((a) => this.toBool(this.term(a), name));
      if (name === 'NOT')
        return { t: 'bool', expr: { kind: 'not', arg: exprs[0] as WhereExpr }, loc: location };
      return { t: 'bool', expr: flatten(name === 'AND' ? 'and' : 'or', exprs), loc: location };
    }
    if ('A_Expr' in node) return this.aExpr(node.A_Expr);
    if ('NullTest' in node) {
      const { arg, nulltesttype, location = 0 } = node.NullTest;
      const negated = nulltesttype === 'IS_NOT_NULL';
      const inner = this.term(arg as Node);
      if (inner.t === 'bool') {
        return {
          t: 'bool',
          expr: { kind: 'bool-test', test: negated ? 'not-unknown' : 'unknown', arg: inner.expr },
          loc: location,
        };
      }
      const operand = this.operand(inner, this.typeOf(inner) ?? 'text');
      return { t: 'bool', expr: { kind: 'null-test', negated, operand: operand.operand }, loc: location };
    }
    if ('BooleanTest' in node) {
      const { arg, booltesttype, location = 0 } = node.BooleanTest;
      const test = (
        {
          IS_TRUE: 'true',
          IS_NOT_TRUE: 'not-true',
          IS_FALSE: 'false',
          IS_NOT_FALSE: 'not-false',
          IS_UNKNOWN: 'unknown',
          IS_NOT_UNKNOWN: 'not-unknown',
        } as const
      )[booltesttype ?? 'IS_TRUE'];
      const operator = (booltesttype ?? 'IS_TRUE').replaceAll('_', ' ');
      return {
        t: 'bool',
        expr: { kind: 'bool-test', test, arg: this.toBool(this.term(arg as Node), operator) },
        loc: location,
      };
    }
    if ('A_ArrayExpr' in node) {
      const { elements = [], location = 0 } = node.A_ArrayExpr;
      return { t: 'array-literal', items: elements.map((e) => this.term(e)), loc: location };
    }
    if ('FuncCall' in node) return this.funcCall(node.FuncCall);
    if ('CoalesceExpr' in node) {
      const { args = [], location = 0 } = node.CoalesceExpr;
      return this.coalesce(
        args.map((a) => this.term(a)),
        location,
      );
    }
    if ('SubLink' in node) {
      this.fail(WHERE_ERROR_CODES.unsupported, node.SubLink.location ?? 0, 'Subqueries are not supported');
    }
    const [nodeType] = Object.keys(node);
    const inner = Object.values(node)[0] as { location?: number } | undefined;
    this.fail(
      WHERE_ERROR_CODES.unsupported,
      inner?.location ?? 0,
      `${nodeType} is not supported in this context`,
    );
  }

  private columnRef(fields: readonly Node[], loc: number): Term {
    const path = fields.map((f) => ('String' in f ? (f.String.sval ?? '') : '*'));
    const name = path.length === 1 ? path[0] : undefined;
    const column = name === undefined ? undefined : this.columns.get(name);
    if (!column) {
      this.fail(
        WHERE_ERROR_CODES.unknownColumn,
        loc,
        `unknown reference ${path.map(displayIdentifier).join('.')}`,
      );
    }
    if (column.isEnum || !isScalarType(column.type)) return { t: 'bad-column', column, loc };
    return { t: 'column', column: column.name, type: column.type, loc };
  }

  private constant(c: A_Const): Term {
    const loc = c.location ?? 0;
    if (c.isnull) return { t: 'unknown', text: null, loc };
    // The parse tree omits zero values: `ival: {}` is 0, `boolval: {}` false, `sval: {}` ''.
    if (c.ival) return { t: 'const', type: 'int4', value: BigInt(c.ival.ival ?? 0), loc };
    if (c.boolval) return { t: 'const', type: 'bool', value: c.boolval.boolval ?? false, loc };
    if (c.sval) return { t: 'unknown', text: c.sval.sval ?? '', loc };
    if (c.fval) {
      const text = c.fval.fval ?? '0';
      if (/^-?\d+$/.test(text)) {
        const n = BigInt(text);
        if (n >= -(2n ** 63n) && n < 2n ** 63n) return { t: 'const', type: 'int8', value: n, loc };
      }
      return { t: 'const', type: 'numeric', value: parseValue('numeric', text), loc };
    }
    this.fail(WHERE_ERROR_CODES.unsupported, loc, 'BitString values are not supported');
  }

  private param(n: number, loc: number): Term {
    const value = this.params[String(n)];
    if (value === undefined) this.fail(WHERE_ERROR_CODES.param, loc, `parameter $${n} was not provided`);
    this.usedParams.add(n);
    return { t: 'unknown', text: value, loc };
  }

  /** Every provided param is used and `$1..$n` have no gaps (Electric's rules, SE4). */
  checkParams(): void {
    for (const key of Object.keys(this.params)) {
      if (!/^[1-9]\d*$/.test(key)) {
        this.fail(WHERE_ERROR_CODES.param, 0, `parameter keys must be positive integers, got "${key}"`);
      }
      if (!this.usedParams.has(Number(key)))
        this.fail(WHERE_ERROR_CODES.param, 0, `parameter value for $${key} was not used`);
    }
    const max = Math.max(0, ...this.usedParams);
    for (let i = 1; i <= max; i++) {
      if (!this.usedParams.has(i)) {
        this.fail(
          WHERE_ERROR_CODES.param,
          0,
          `expression is missing $${i} - parameters should be numbered sequentially`,
        );
      }
    }
  }

  private cast(arg: Term, typeName: TypeName, loc: number): Term {
    const target = resolveTypeName(typeName);
    if (!target)
      this.fail(
        WHERE_ERROR_CODES.unsupported,
        typeName.location ?? loc,
        `unsupported type ${typeNameText(typeName)}`,
      );
    const { type, isArray } = target;
    if (isArray) {
      if (arg.t === 'unknown') return this.arrayFromText(arg.text, type, arg.loc);
      if (arg.t === 'array-literal') return this.arrayFromItems(arg.items, type, arg.loc);
      this.fail(
        WHERE_ERROR_CODES.unsupported,
        loc,
        `cast of ${this.describe(arg)} to ${type}[] is not supported`,
      );
    }
    switch (arg.t) {
      case 'unknown':
        return {
          t: 'const',
          type,
          value: arg.text === null ? null : this.parseLiteral(type, arg.text, arg.loc),
          loc: arg.loc,
        };
      case 'const':
        // Only constants whose JS form is their Postgres text form can be re-read as another type.
        if (!RECASTABLE.has(FAMILY_OF[arg.type])) {
          return this.fail(
            WHERE_ERROR_CODES.unsupported,
            loc,
            `cast of ${this.describe(arg)} to ${type} is not supported`,
          );
        }
        return {
          t: 'const',
          type,
          value: arg.value === null ? null : this.parseLiteral(type, valueText(arg.value), arg.loc),
          loc: arg.loc,
        };
      case 'column':
        if (
          FAMILY_OF[arg.type] === FAMILY_OF[type] ||
          (FAMILY_OF[type] === 'text' && TEXT_CASTABLE.has(arg.type))
        ) {
          return { ...arg, type: FAMILY_OF[type] === 'text' ? textCastType(arg.type, type) : type };
        }
        return this.fail(
          WHERE_ERROR_CODES.unsupported,
          loc,
          `cast of column ${displayIdentifier(arg.column)} from ${arg.type} to ${type} is not supported`,
        );
      case 'bad-column':
        if (arg.column.isEnum && FAMILY_OF[type] === 'text')
          return { t: 'column', column: arg.column.name, type: 'text', loc: arg.loc };
        return this.badColumn(arg);
      default:
        return this.fail(
          WHERE_ERROR_CODES.unsupported,
          loc,
          `cast of ${this.describe(arg)} to ${type} is not supported`,
        );
    }
  }

  private parseLiteral(type: ScalarType, text: string, loc: number): Value {
    try {
      return parseValue(type, text);
    } catch (error) {
      if (error instanceof InvalidValueError) this.fail(WHERE_ERROR_CODES.literal, loc, error.message);
      throw error;
    }
  }

  private arrayFromText(text: string | null, type: ScalarType, loc: number): Term {
    if (text === null) return { t: 'array', type, values: [], loc };
    let items: unknown[];
    try {
      items = parseArrayLiteral(text, (s) => s);
    } catch {
      this.fail(WHERE_ERROR_CODES.literal, loc, `malformed array literal: "${text}"`);
    }
    const values = items.map((item) => {
      if (Array.isArray(item))
        this.fail(WHERE_ERROR_CODES.unsupported, loc, 'multidimensional arrays are not supported');
      return item === null ? null : this.parseLiteral(type, item as string, loc);
    });
    return { t: 'array', type, values, loc };
  }

  private arrayFromItems(items: readonly Term[], type: ScalarType, loc: number): Term {
    const values = items.map((item) => {
      const { operand } = this.operand(item, type, FAMILY_OF[type]);
      if (operand.kind !== 'const')
        this.fail(WHERE_ERROR_CODES.unsupported, item.loc, 'array elements must be constants');
      return operand.value;
    });
    return { t: 'array', type, values, loc };
  }

  private aExpr(e: A_Expr): Term {
    const loc = e.location ?? 0;
    const opName = (e.name ?? [])
      .map((n) => ('String' in n ? (n.String.sval ?? '') : ''))
      .filter((n) => n !== 'pg_catalog')
      .join('.');
    const list = (n: Node | undefined): Node[] => (n && 'List' in n ? (n.List.items ?? []) : []);
    switch (e.kind) {
      case 'AEXPR_OP': {
        if (!e.lexpr) return this.unary(opName, e.rexpr as Node, loc);
        const op = COMPARE_OPS[opName];
        if (!op) this.fail(WHERE_ERROR_CODES.unsupported, loc, `operator ${opName} is not supported`);
        return {
          t: 'bool',
          expr: this.compare(op, this.term(e.lexpr), this.term(e.rexpr as Node), loc),
          loc,
        };
      }
      case 'AEXPR_DISTINCT':
      case 'AEXPR_NOT_DISTINCT': {
        const { family, left, right } = this.pair(
          this.term(e.lexpr as Node),
          this.term(e.rexpr as Node),
          '=',
          loc,
        );
        return {
          t: 'bool',
          expr: { kind: 'distinct', negated: e.kind === 'AEXPR_NOT_DISTINCT', family, left, right },
          loc,
        };
      }
      case 'AEXPR_IN': {
        const expr = this.inList(
          this.term(e.lexpr as Node),
          list(e.rexpr).map((n) => this.term(n)),
          loc,
        );
        return { t: 'bool', expr: opName === '<>' ? { kind: 'not', arg: expr } : expr, loc };
      }
      case 'AEXPR_BETWEEN':
      case 'AEXPR_NOT_BETWEEN':
      case 'AEXPR_BETWEEN_SYM':
      case 'AEXPR_NOT_BETWEEN_SYM': {
        const subject = this.term(e.lexpr as Node);
        const [lo, hi] = list(e.rexpr).map((n) => this.term(n)) as [Term, Term];
        const between = (a: Term, b: Term): WhereExpr =>
          flatten('and', [this.compare('<=', a, subject, loc), this.compare('<=', subject, b, loc)]);
        const symmetric = e.kind === 'AEXPR_BETWEEN_SYM' || e.kind === 'AEXPR_NOT_BETWEEN_SYM';
        const expr = symmetric ? flatten('or', [between(lo, hi), between(hi, lo)]) : between(lo, hi);
        const negated = e.kind === 'AEXPR_NOT_BETWEEN' || e.kind === 'AEXPR_NOT_BETWEEN_SYM';
        return { t: 'bool', expr: negated ? { kind: 'not', arg: expr } : expr, loc };
      }
      case 'AEXPR_LIKE':
      case 'AEXPR_ILIKE':
        return { t: 'bool', expr: this.like(e, opName, loc), loc };
      case 'AEXPR_OP_ANY':
      case 'AEXPR_OP_ALL': {
        const op = COMPARE_OPS[opName];
        if (!op)
          this.fail(WHERE_ERROR_CODES.unsupported, loc, `operator ${opName} is not supported with ANY/ALL`);
        const quantifier = e.kind === 'AEXPR_OP_ANY' ? 'any' : 'all';
        return {
          t: 'bool',
          expr: this.quantified(op, quantifier, this.term(e.lexpr as Node), this.term(e.rexpr as Node), loc),
          loc,
        };
      }
      default:
        return this.fail(
          WHERE_ERROR_CODES.unsupported,
          loc,
          `expression ${opName} of ${e.kind ?? 'A_Expr'} is not currently supported`,
        );
    }
  }

  private unary(op: string, arg: Node, loc: number): Term {
    const term = this.term(arg);
    if (op === '+' && term.t === 'const' && FAMILY_OF[term.type] !== 'text') return term;
    if (op === '-' && term.t === 'const' && term.value !== null) {
      const v = term.value;
      if (typeof v === 'bigint') return { ...term, value: -v };
      if (typeof v === 'number') return { ...term, value: -v };
      if (typeof v === 'object') return { ...term, value: v.neg() };
    }
    this.fail(
      WHERE_ERROR_CODES.unsupported,
      loc,
      `unary operator ${op} is only supported on numeric constants`,
    );
  }

  private funcCall(f: FuncCall): Term {
    const { funcname = [], args = [], location = 0 } = f;
    const parts = funcname.map((n) => ('String' in n ? (n.String.sval ?? '') : '?'));
    const unqualified = parts.length === 2 && parts[0] === 'pg_catalog' ? parts.slice(1) : parts;
    const name = unqualified.length === 1 ? unqualified[0] : undefined;
    const plain =
      !f.agg_star &&
      !f.agg_distinct &&
      !f.func_variadic &&
      !f.agg_within_group &&
      !f.agg_order?.length &&
      f.agg_filter === undefined &&
      f.over === undefined;
    if (plain && args.length === 1 && (name === 'lower' || name === 'upper' || name === 'length')) {
      const arg = this.term(args[0] as Node);
      const type = this.typeOf(arg) ?? 'text';
      if (FAMILY_OF[type] !== 'text')
        this.fail(WHERE_ERROR_CODES.type, location, `function ${name}(${type}) does not exist`);
      return this.call(
        name,
        name === 'length' ? 'int4' : 'text',
        [this.operand(arg, type, 'text').operand],
        location,
      );
    }
    if (plain && args.length > 0 && name === 'concat') {
      return this.call(
        'concat',
        'text',
        args.map((a) => this.concatArgument(a)),
        location,
      );
    }
    // COALESCE is grammar (CoalesceExpr), never a function: `pg_catalog.coalesce(…)` is refused, as by Postgres.
    this.fail(
      WHERE_ERROR_CODES.unsupported,
      location,
      `unknown or unsupported function ${parts.filter((n) => n !== 'pg_catalog').join('.')}/${args.length}`,
    );
  }

  /**
   * An argument of concat(), printed as Postgres' output function prints it. A plain column prints as
   * the row holds it (SN5: the output function's text), so it is read as text. Other values must be
   * text, integer or boolean, whose printed form follows from the value, and not of type bpchar: that
   * prints with padding the value no longer has. Other families print with formatting a value does
   * not keep (numeric scale, float digits, dates): refused.
   */
  private concatArgument(node: Node): Operand {
    const term = this.term(node);
    if (term.t === 'unknown') return { kind: 'const', value: term.text };
    if (term.t === 'column' && 'ColumnRef' in node)
      return { kind: 'column', column: term.column, type: 'text' };
    if (term.t === 'column' || term.t === 'const' || term.t === 'call') {
      const type = this.typeOf(term) as ScalarType;
      const family = FAMILY_OF[type];
      // A bpchar column cast to text is read as bpchar (trimmed, as the cast trims) and prints so.
      const castToBpchar =
        'TypeCast' in node &&
        node.TypeCast.typeName !== undefined &&
        resolveTypeName(node.TypeCast.typeName)?.type === 'bpchar';
      const padded = type === 'bpchar' && (term.t !== 'column' || castToBpchar);
      if ((family === 'text' || family === 'int' || family === 'bool') && !padded)
        return this.operand(term, type).operand;
    }
    if (term.t === 'bad-column') return this.badColumn(term);
    return this.fail(
      WHERE_ERROR_CODES.unsupported,
      term.loc,
      `concat of ${this.describe(term)} is not supported`,
    );
  }

  /** COALESCE: the first non-NULL argument, all converted to the type Postgres resolves for them. */
  private coalesce(terms: readonly Term[], loc: number): Term {
    const type = this.commonType(terms, 'COALESCE');
    const family = FAMILY_OF[type];
    return this.call(
      'coalesce',
      type,
      terms.map((t) => this.operand(t, type, family).operand),
      loc,
    );
  }

  /**
   * Postgres' select_common_type: unknown literals take the result; the first typed argument is the
   * candidate, replaced by a later one it converts to implicitly (and not back) unless it is its
   * category's preferred type. Types of different categories cannot be matched.
   */
  private commonType(terms: readonly Term[], context: string): ScalarType {
    let common: ScalarType | undefined;
    for (const term of terms) {
      const type = this.typeOf(term);
      if (type === undefined || type === common) continue;
      if (common === undefined) {
        common = type;
        continue;
      }
      if (CATEGORY[type] !== CATEGORY[common])
        this.fail(
          WHERE_ERROR_CODES.type,
          term.loc,
          `${context} types ${common} and ${type} cannot be matched`,
        );
      if (
        !PREFERRED.has(common) &&
        IMPLICIT_CASTS[common].includes(type) &&
        !IMPLICIT_CASTS[type].includes(common)
      )
        common = type;
    }
    return common ?? 'text';
  }

  /** A call term, or the constant it computes when no argument reads the row. */
  private call(fn: FunctionName, type: ScalarType, args: readonly Operand[], loc: number): Term {
    const operand: CallOperand = { kind: 'call', fn, type, args };
    if (args.every((a) => a.kind === 'const'))
      return { t: 'const', type, value: constantValue(operand), loc };
    return { t: 'call', operand, loc };
  }

  private compare(op: CompareOp, l: Term, r: Term, loc: number): WhereExpr {
    const { family, left, right } = this.pair(l, r, op, loc);
    return { kind: 'compare', op, family, left, right };
  }

  /** Resolves both sides of a binary operator to one family, typing `unknown` literals from the other side. */
  private pair(l: Term, r: Term, op: string, loc: number): { family: Family; left: Operand; right: Operand } {
    const lt = this.typeOf(l);
    const rt = this.typeOf(r);
    if (lt === undefined && rt === undefined) {
      return {
        family: 'text',
        left: this.operand(l, 'text').operand,
        right: this.operand(r, 'text').operand,
      };
    }
    if (lt === undefined || rt === undefined) {
      const type = (lt ?? rt) as ScalarType;
      const family = FAMILY_OF[type];
      return {
        family,
        left: this.operand(l, type, family).operand,
        right: this.operand(r, type, family).operand,
      };
    }
    const family = commonFamily(FAMILY_OF[lt], FAMILY_OF[rt]);
    if (!family) this.fail(WHERE_ERROR_CODES.type, loc, `operator does not exist: ${lt} ${op} ${rt}`);
    return { family, left: this.operand(l, lt, family).operand, right: this.operand(r, rt, family).operand };
  }

  private inList(subject: Term, items: readonly Term[], loc: number): WhereExpr {
    const typed = [subject, ...items]
      .map((t) => this.typeOf(t))
      .filter((t): t is ScalarType => t !== undefined);
    const type = typed[0] ?? 'text';
    let family = FAMILY_OF[type];
    for (const t of typed) {
      const common = commonFamily(family, FAMILY_OF[t]);
      if (!common) this.fail(WHERE_ERROR_CODES.type, loc, `IN types ${type} and ${t} cannot be matched`);
      family = common;
    }
    return {
      kind: 'in',
      family,
      subject: this.operand(subject, type, family).operand,
      list: items.map((item) => this.operand(item, type, family).operand),
    };
  }

  private quantified(
    op: CompareOp,
    quantifier: 'any' | 'all',
    subjectTerm: Term,
    arrayTerm: Term,
    loc: number,
  ): WhereExpr {
    const subjectType = this.typeOf(subjectTerm);
    let array: Term = arrayTerm;
    if (arrayTerm.t === 'unknown')
      array = this.arrayFromText(arrayTerm.text, subjectType ?? 'text', arrayTerm.loc);
    if (arrayTerm.t === 'array-literal') {
      const itemType = arrayTerm.items.map((i) => this.typeOf(i)).find((t) => t !== undefined);
      array = this.arrayFromItems(arrayTerm.items, itemType ?? subjectType ?? 'text', arrayTerm.loc);
    }
    if (array.t !== 'array')
      this.fail(WHERE_ERROR_CODES.unsupported, array.loc, 'argument of ANY/ALL must be a constant array');
    const elementType = array.type;
    const family =
      subjectType === undefined
        ? FAMILY_OF[elementType]
        : commonFamily(FAMILY_OF[subjectType], FAMILY_OF[elementType]);
    if (!family)
      this.fail(
        WHERE_ERROR_CODES.type,
        loc,
        `operator does not exist: ${subjectType ?? 'unknown'} ${op} ${elementType}`,
      );
    const from = FAMILY_OF[elementType];
    return {
      kind: 'quantified',
      quantifier,
      op,
      family,
      subject: this.operand(subjectTerm, subjectType ?? elementType, family).operand,
      elements: array.values.map((v) => (v === null ? null : widen(v, from, family))),
    };
  }

  private like(e: A_Expr, opName: string, loc: number): WhereExpr {
    const caseInsensitive = e.kind === 'AEXPR_ILIKE';
    const negated = opName.startsWith('!');
    const subject = this.term(e.lexpr as Node);
    let patternNode = e.rexpr as Node;
    let escape: string | null = DEFAULT_LIKE_ESCAPE;
    if (
      'FuncCall' in patternNode &&
      patternNode.FuncCall.funcname?.some((n) => 'String' in n && n.String.sval === 'like_escape')
    ) {
      const [p, esc] = patternNode.FuncCall.args ?? [];
      patternNode = p as Node;
      escape = this.constantText(this.term(esc as Node), 'ESCAPE');
    }
    const pattern = this.constantText(this.term(patternNode), 'LIKE pattern');
    const subjectType = this.typeOf(subject) ?? 'text';
    if (FAMILY_OF[subjectType] !== 'text') {
      this.fail(
        WHERE_ERROR_CODES.type,
        loc,
        `operator does not exist: ${subjectType} ${caseInsensitive ? '~~*' : '~~'} text`,
      );
    }
    if (pattern !== null) {
      try {
        compileLike(pattern, escape, caseInsensitive);
      } catch (error) {
        if (error instanceof LikePatternError) this.fail(WHERE_ERROR_CODES.literal, loc, error.message);
        throw error;
      }
    }
    const expr: WhereExpr = {
      kind: 'like',
      subject: this.operand(subject, subjectType, 'text').operand,
      pattern,
      escape,
      caseInsensitive,
    };
    return negated ? { kind: 'not', arg: expr } : expr;
  }

  private constantText(term: Term, what: string): string | null {
    if (term.t === 'unknown') return term.text;
    if (term.t === 'const' && (term.value === null || FAMILY_OF[term.type] === 'text'))
      return term.value as string | null;
    return this.fail(WHERE_ERROR_CODES.unsupported, term.loc, `${what} must be a text constant`);
  }

  /** The Postgres type of a term, undefined for an `unknown` literal. */
  private typeOf(term: Term): ScalarType | undefined {
    switch (term.t) {
      case 'column':
      case 'const':
        return term.type;
      case 'call':
        return term.operand.type;
      case 'unknown':
        return undefined;
      case 'bool':
        return 'bool';
      case 'bad-column':
        return this.badColumn(term);
      default:
        return this.fail(
          WHERE_ERROR_CODES.unsupported,
          term.loc,
          `${this.describe(term)} is not supported here`,
        );
    }
  }

  /** Converts a term to an operand of `family`; `unknown` literals are read as `type` first. */
  private operand(term: Term, type: ScalarType, family: Family = FAMILY_OF[type]): { operand: Operand } {
    switch (term.t) {
      case 'column':
        return { operand: { kind: 'column', column: term.column, type: term.type } };
      case 'const':
        return {
          operand: {
            kind: 'const',
            value: term.value === null ? null : widen(term.value, FAMILY_OF[term.type], family),
          },
        };
      case 'unknown':
        return {
          operand: {
            kind: 'const',
            value:
              term.text === null
                ? null
                : widen(this.parseLiteral(type, term.text, term.loc), FAMILY_OF[type], family),
          },
        };
      case 'call':
        // Read in its own type; the evaluator widens its value to `family`.
        return { operand: term.operand };
      case 'bad-column':
        return this.badColumn(term);
      default:
        return this.fail(
          WHERE_ERROR_CODES.unsupported,
          term.loc,
          `${this.describe(term)} cannot be compared here`,
        );
    }
  }

  /** A term used as a condition: booleans pass, anything else is Postgres' "argument of X must be type boolean". */
  toBool(term: Term, context: string): WhereExpr {
    switch (term.t) {
      case 'bool':
        return term.expr;
      case 'column':
        if (term.type === 'bool') return { kind: 'bool-column', column: term.column };
        break;
      case 'const':
        if (term.type === 'bool') return { kind: 'const', value: term.value as boolean | null };
        break;
      case 'call':
        // `x = true` is x in three-valued logic.
        if (term.operand.type === 'bool')
          return {
            kind: 'compare',
            op: '=',
            family: 'bool',
            left: term.operand,
            right: { kind: 'const', value: true },
          };
        break;
      case 'unknown':
        return {
          kind: 'const',
          value: term.text === null ? null : (this.parseLiteral('bool', term.text, term.loc) as boolean),
        };
      case 'bad-column':
        return this.badColumn(term);
      default:
        break;
    }
    return this.fail(
      WHERE_ERROR_CODES.type,
      term.loc,
      `argument of ${context} must be type bool, not ${this.describe(term)}`,
    );
  }

  private badColumn(term: { column: TableColumn; loc: number }): never {
    const name = displayIdentifier(term.column.name);
    if (term.column.isEnum) {
      this.fail(
        WHERE_ERROR_CODES.type,
        term.loc,
        `column ${name} has enum type ${term.column.type}: compare it as text with ${name}::text`,
      );
    }
    this.fail(
      WHERE_ERROR_CODES.type,
      term.loc,
      `column ${name} of type ${term.column.type} is not supported in where clauses`,
    );
  }

  private describe(term: Term): string {
    switch (term.t) {
      case 'column':
        return `column ${displayIdentifier(term.column)} of type ${term.type}`;
      case 'const':
        return `a constant of type ${term.type}`;
      case 'unknown':
        return 'a literal';
      case 'bool':
        return 'a boolean expression';
      case 'array':
      case 'array-literal':
        return 'an array';
      case 'bad-column':
        return `column ${displayIdentifier(term.column.name)}`;
      case 'call':
        return `${term.operand.fn}() of type ${term.operand.type}`;
    }
  }
}

function flatten(kind: 'and' | 'or', args: readonly WhereExpr[]): WhereExpr {
  return { kind, args: args.flatMap((a) => (a.kind === kind ? a.args : [a])) };
}

function resolveTypeName(t: TypeName): { type: ScalarType; isArray: boolean } | undefined {
  const names = (t.names ?? []).map((n) => ('String' in n ? (n.String.sval ?? '') : ''));
  const unqualified = names[0] === 'pg_catalog' ? names.slice(1) : names;
  if (unqualified.length !== 1) return undefined;
  const type = TYPE_NAMES[unqualified[0] as string];
  return type ? { type, isArray: (t.arrayBounds?.length ?? 0) > 0 } : undefined;
}

/**
 * The type a column is read as after a cast within the text family. bpchar's comparisons ignore
 * trailing spaces and its cast to text drops them, so either side being bpchar reads it as bpchar.
 */
function textCastType(from: ScalarType, to: ScalarType): ScalarType {
  return from === 'bpchar' || to === 'bpchar' ? 'bpchar' : 'text';
}

function typeNameText(t: TypeName): string {
  return (t.names ?? []).map((n) => ('String' in n ? displayIdentifier(n.String.sval ?? '') : '?')).join('.');
}

/** Text form of a typed constant, for casting it to another type. */
function valueText(v: Value): string {
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return String(v);
}

/** Identifiers in messages are quoted when Postgres would need quotes to read them back. */
export function displayIdentifier(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`;
}
