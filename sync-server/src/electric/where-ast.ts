// The typed AST of the where-clause subset the engine evaluates itself (SPEC.md SE8).
// It is plain data: constants are already typed and converted to the comparison's family, so the
// evaluator never parses SQL, and a canonical serialization of it keys shape definitions (SE5).
import Decimal from 'decimal.js';
import type { Family, ScalarType, Value } from './values';

export type CompareOp = '=' | '<>' | '<' | '<=' | '>' | '>=';

/** The scalar functions of the subset (SE8). */
export type FunctionName = 'lower' | 'upper' | 'length' | 'concat' | 'coalesce';

/**
 * A scalar: a column of the row (its text parsed by `type`), a constant already in the node's family,
 * or a function of other operands whose value is of `type` (its family, in `type`'s value set).
 * concat's arguments are text, integer or boolean values, printed as Postgres prints them; a plain
 * column argument is typed `text`, so its text is printed as the row holds it.
 */
export type Operand =
  | { readonly kind: 'column'; readonly column: string; readonly type: ScalarType }
  | { readonly kind: 'const'; readonly value: Value | null }
  | {
      readonly kind: 'call';
      readonly fn: FunctionName;
      readonly type: ScalarType;
      readonly args: readonly Operand[];
    };

export type WhereExpr =
  | { readonly kind: 'const'; readonly value: boolean | null }
  | { readonly kind: 'bool-column'; readonly column: string }
  | { readonly kind: 'and'; readonly args: readonly WhereExpr[] }
  | { readonly kind: 'or'; readonly args: readonly WhereExpr[] }
  | { readonly kind: 'not'; readonly arg: WhereExpr }
  | {
      readonly kind: 'compare';
      readonly op: CompareOp;
      readonly family: Family;
      readonly left: Operand;
      readonly right: Operand;
    }
  /** `x IN (a, b)`; NOT IN is `not(in)`. */
  | {
      readonly kind: 'in';
      readonly family: Family;
      readonly subject: Operand;
      readonly list: readonly Operand[];
    }
  /** `x op ANY (array)` / `x op ALL (array)`, the array a constant. */
  | {
      readonly kind: 'quantified';
      readonly quantifier: 'any' | 'all';
      readonly op: CompareOp;
      readonly family: Family;
      readonly subject: Operand;
      readonly elements: readonly (Value | null)[];
    }
  /** `x IS [NOT] DISTINCT FROM y`: NULL-safe comparison. */
  | {
      readonly kind: 'distinct';
      readonly negated: boolean;
      readonly family: Family;
      readonly left: Operand;
      readonly right: Operand;
    }
  /** `x [I]LIKE pattern [ESCAPE e]`; NOT LIKE is `not(like)`. A NULL pattern makes the result NULL. */
  | {
      readonly kind: 'like';
      readonly subject: Operand;
      readonly pattern: string | null;
      readonly escape: string | null;
      readonly caseInsensitive: boolean;
    }
  | { readonly kind: 'null-test'; readonly negated: boolean; readonly operand: Operand }
  | {
      readonly kind: 'bool-test';
      readonly test: 'true' | 'not-true' | 'false' | 'not-false' | 'unknown' | 'not-unknown';
      readonly arg: WhereExpr;
    };

/** The columns of a where clause, for validation and for choosing the index (SE19). */
export function referencedColumns(expr: WhereExpr): Set<string> {
  const out = new Set<string>();
  const operand = (o: Operand): void => {
    if (o.kind === 'column') out.add(o.column);
    else if (o.kind === 'call') o.args.forEach(operand);
  };
  const visit = (e: WhereExpr): void => {
    switch (e.kind) {
      case 'const':
        return;
      case 'bool-column':
        out.add(e.column);
        return;
      case 'and':
      case 'or':
        e.args.forEach(visit);
        return;
      case 'not':
      case 'bool-test':
        visit(e.arg);
        return;
      case 'compare':
      case 'distinct':
        operand(e.left);
        operand(e.right);
        return;
      case 'in':
        operand(e.subject);
        e.list.forEach(operand);
        return;
      case 'quantified':
      case 'like':
        operand(e.subject);
        return;
      case 'null-test':
        operand(e.operand);
        return;
    }
  };
  visit(expr);
  return out;
}

/**
 * A stable text form of the AST: equal for `a=1` and `a = 1`, different when any constant differs.
 * bigint and Decimal values get tagged forms so that `1` (int) and `1.0` (numeric) stay distinct.
 */
export function canonicalWhere(expr: WhereExpr): string {
  return JSON.stringify(expr, function (this: Record<string, unknown>, key: string, value: unknown) {
    // `this[key]` is the value before Decimal's own toJSON turned it into a plain string.
    const raw = this[key];
    if (raw instanceof Decimal) return `${raw.toString()}d`;
    if (typeof raw === 'bigint') return `${raw}n`;
    if (typeof raw === 'number' && !Number.isFinite(raw)) return `${raw}f`;
    return value;
  });
}
