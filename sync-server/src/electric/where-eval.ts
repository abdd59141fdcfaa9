// Evaluates a where AST against a row in Postgres TEXT form, with Postgres' three-valued logic and
// scalar functions (SPEC.md SE8, SE12–SE17). The AST is compiled once into closures; a row is in the
// shape iff the result is TRUE (NULL and FALSE both leave it out).
import type { CompareOp, Operand, WhereExpr } from './where-ast';
import type { Row } from './table-schema';
import { compareValues, FAMILY_OF, parseValue, widen, type Family, type Value } from './values';
import { compileLike } from './like';
import { charLength, lowerText, narrowing, printValue, upperText } from './functions';

/** true, false, or null for SQL NULL (unknown). */
export type Truth = boolean | null;
export type RowPredicate = (row: Row) => Truth;

/** A row that lacks a referenced column: the engine must fill unchanged-TOAST values before routing. */
export class RowShapeError extends Error {
  constructor(readonly column: string) {
    super(`row has no value for column "${column}" (unchanged TOAST values must be filled from the old row)`);
    this.name = 'RowShapeError';
  }
}

export function compileWhere(expr: WhereExpr): RowPredicate {
  switch (expr.kind) {
    case 'const': {
      const value = expr.value;
      return () => value;
    }
    case 'bool-column': {
      const read = readOperand({ kind: 'column', column: expr.column, type: 'bool' }, 'bool');
      return (row) => read(row) as boolean | null;
    }
    case 'and':
    case 'or': {
      const args = expr.args.map(compileWhere);
      // AND: any FALSE wins, else any NULL makes NULL. OR: any TRUE wins, else any NULL makes NULL.
      const decisive = expr.kind === 'or';
      return (row) => {
        let sawNull = false;
        for (const arg of args) {
          const v = arg(row);
          if (v === decisive) return decisive;
          if (v === null) sawNull = true;
        }
        return sawNull ? null : !decisive;
      };
    }
    case 'not': {
      const arg = compileWhere(expr.arg);
      return (row) => {
        const v = arg(row);
        return v === null ? null : !v;
      };
    }
    case 'compare': {
      const left = readOperand(expr.left, expr.family);
      const right = readOperand(expr.right, expr.family);
      const test = OP_TESTS[expr.op];
      const family = expr.family;
      return (row) => {
        const a = left(row);
        if (a === null) return null;
        const b = right(row);
        if (b === null) return null;
        return test(compareValues(family, a, b));
      };
    }
    case 'in': {
      const subject = readOperand(expr.subject, expr.family);
      const list = expr.list.map((o) => readOperand(o, expr.family));
      const family = expr.family;
      return (row) => {
        const s = subject(row);
        if (s === null) return null;
        let sawNull = false;
        for (const item of list) {
          const v = item(row);
          if (v === null) sawNull = true;
          else if (compareValues(family, s, v) === 0) return true;
        }
        return sawNull ? null : false;
      };
    }
    case 'quantified': {
      const subject = readOperand(expr.subject, expr.family);
      const test = OP_TESTS[expr.op];
      const { elements, family } = expr;
      // ANY: TRUE if one element passes; ALL: FALSE if one fails; otherwise NULL when an element is NULL.
      const decisive = expr.quantifier === 'any';
      return (row) => {
        const s = subject(row);
        if (s === null) return elements.length === 0 ? !decisive : null;
        let sawNull = false;
        for (const e of elements) {
          if (e === null) sawNull = true;
          else if (test(compareValues(family, s, e)) === decisive) return decisive;
        }
        return sawNull ? null : !decisive;
      };
    }
    case 'distinct': {
      const left = readOperand(expr.left, expr.family);
      const right = readOperand(expr.right, expr.family);
      const { family, negated } = expr;
      return (row) => {
        const a = left(row);
        const b = right(row);
        const distinct = a === null || b === null ? a !== b : compareValues(family, a, b) !== 0;
        return negated ? !distinct : distinct;
      };
    }
    case 'like': {
      const subject = readOperand(expr.subject, 'text');
      if (expr.pattern === null) return () => null;
      const regex = compileLike(expr.pattern, expr.escape, expr.caseInsensitive);
      return (row) => {
        const s = subject(row);
        return s === null ? null : regex.test(s as string);
      };
    }
    case 'null-test': {
      const operand = readOperand(expr.operand, 'text', false);
      const negated = expr.negated;
      return (row) => (operand(row) === null) !== negated;
    }
    case 'bool-test': {
      const arg = compileWhere(expr.arg);
      const test = BOOL_TESTS[expr.test];
      return (row) => test(arg(row));
    }
  }
}

const OP_TESTS: Readonly<Record<CompareOp, (c: number) => boolean>> = {
  '=': (c) => c === 0,
  '<>': (c) => c !== 0,
  '<': (c) => c < 0,
  '<=': (c) => c <= 0,
  '>': (c) => c > 0,
  '>=': (c) => c >= 0,
};

const BOOL_TESTS: Readonly<Record<Extract<WhereExpr, { kind: 'bool-test' }>['test'], (v: Truth) => boolean>> =
  {
    true: (v) => v === true,
    'not-true': (v) => v !== true,
    false: (v) => v === false,
    'not-false': (v) => v !== false,
    unknown: (v) => v === null,
    'not-unknown': (v) => v !== null,
  };

/** Reads an operand as a value of `family`; `parse: false` only checks for NULL (IS NULL needs no parsing). */
function readOperand(operand: Operand, family: Family, parse = true): (row: Row) => Value | null {
  switch (operand.kind) {
    case 'const': {
      const value = operand.value;
      return () => value;
    }
    case 'column': {
      const { column, type } = operand;
      const from = FAMILY_OF[type];
      return (row) => {
        const text = row[column];
        if (text === undefined) throw new RowShapeError(column);
        if (text === null || !parse) return text;
        return widen(parseValue(type, text), from, family);
      };
    }
    case 'call': {
      const call = compileCall(operand);
      const from = FAMILY_OF[operand.type];
      if (from === family || !parse) return call;
      return (row) => {
        const v = call(row);
        return v === null ? null : widen(v, from, family);
      };
    }
  }
}

/** A function call (SE8): its value, of its type's family, or null. */
function compileCall(call: Extract<Operand, { kind: 'call' }>): (row: Row) => Value | null {
  switch (call.fn) {
    case 'lower':
    case 'upper':
    case 'length': {
      const arg = readOperand(call.args[0] as Operand, 'text');
      const fn = TEXT_FUNCTIONS[call.fn];
      return (row) => {
        const s = arg(row);
        return s === null ? null : fn(s as string);
      };
    }
    case 'concat': {
      // Each argument in its own family (a constant already is); NULLs are skipped, so never NULL.
      const args = call.args.map((a) => readOperand(a, a.kind === 'const' ? 'text' : FAMILY_OF[a.type]));
      return (row) => {
        let out = '';
        for (const arg of args) {
          const v = arg(row);
          if (v !== null) out += printValue(v);
        }
        return out;
      };
    }
    case 'coalesce': {
      const args = call.args.map((a) => readOperand(a, FAMILY_OF[call.type]));
      const narrow = narrowing(call.type) ?? ((v: Value) => v);
      return (row) => {
        for (const arg of args) {
          const v = arg(row);
          if (v !== null) return narrow(v);
        }
        return null;
      };
    }
  }
}

const TEXT_FUNCTIONS: Readonly<Record<'lower' | 'upper' | 'length', (s: string) => Value>> = {
  lower: lowerText,
  upper: upperText,
  length: charLength,
};

/** The value of an operand without columns (a function of constants), which the parser folds. */
export function constantValue(operand: Operand): Value | null {
  return readOperand(operand, operand.kind === 'call' ? FAMILY_OF[operand.type] : 'text')({});
}

/** Whether `row` belongs to a shape with this predicate (no where clause: every row does). */
export function rowMatches(predicate: RowPredicate | null, row: Row): boolean {
  return predicate === null || predicate(row) === true;
}
