import type { Expr } from './ast.js';
import { MATH_FUNCTIONS } from './functions.js';

/**
 * Emits JavaScript source for a validated Expr. Field references go through
 * `ref`, which the caller controls (local variable names in fused loops); the
 * only user-derived text emitted is JSON-encoded literals and validated names.
 */
export function emitExpression(expr: Expr, ref: (field: string) => string): string {
  switch (expr.k) {
    case 'lit':
      return typeof expr.value === 'number' ? numberLiteral(expr.value) : JSON.stringify(expr.value);
    case 'field':
      return ref(expr.name);
    case 'unary':
      return `(${expr.op}${emitExpression(expr.arg, ref)})`;
    case 'binary': {
      const op = expr.op === '==' ? '===' : expr.op === '!=' ? '!==' : expr.op;
      return `(${emitExpression(expr.left, ref)} ${op} ${emitExpression(expr.right, ref)})`;
    }
    case 'cond':
      return `(${emitExpression(expr.test, ref)} ? ${emitExpression(expr.then, ref)} : ${emitExpression(expr.else, ref)})`;
    case 'call': {
      const fn = MATH_FUNCTIONS.get(expr.fn);
      if (fn === undefined) throw new Error(`internal: unvalidated function ${expr.fn}`);
      return `${fn.jsName}(${expr.args.map((a) => emitExpression(a, ref)).join(', ')})`;
    }
  }
}

function numberLiteral(value: number): string {
  // Parenthesised so `-1` never fuses with a preceding operator into `--1`.
  return Object.is(value, -0) ? '(-0)' : value < 0 ? `(${String(value)})` : String(value);
}
