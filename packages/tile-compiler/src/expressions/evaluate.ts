import type { Scalar } from '../program/types.js';
import type { Expr } from './ast.js';
import { MATH_FUNCTIONS } from './functions.js';

/**
 * Tree-walking evaluation: the reference semantics the compiled code must
 * match. Used by the naive interpreter, never on the fast path.
 */
export function evaluate(expr: Expr, get: (field: string) => Scalar): Scalar {
  switch (expr.k) {
    case 'lit':
      return expr.value;
    case 'field':
      return get(expr.name);
    case 'unary': {
      const v = evaluate(expr.arg, get);
      return expr.op === '-' ? -(v as number) : !v;
    }
    case 'binary': {
      if (expr.op === '&&') return evaluate(expr.left, get) && evaluate(expr.right, get);
      if (expr.op === '||') return evaluate(expr.left, get) || evaluate(expr.right, get);
      const l = evaluate(expr.left, get);
      const r = evaluate(expr.right, get);
      switch (expr.op) {
        case '+':
          return typeof l === 'string' ? l + (r as string) : (l as number) + (r as number);
        case '-':
          return (l as number) - (r as number);
        case '*':
          return (l as number) * (r as number);
        case '/':
          return (l as number) / (r as number);
        case '%':
          return (l as number) % (r as number);
        case '<':
          return l < r;
        case '<=':
          return l <= r;
        case '>':
          return l > r;
        case '>=':
          return l >= r;
        case '==':
          return l === r;
        case '!=':
          return l !== r;
        default: {
          // Every operator is handled above; this guards an AST built outside parse().
          const op: never = expr.op;
          throw new Error(`internal: unknown operator ${String(op)}`);
        }
      }
    }
    case 'cond':
      return evaluate(expr.test, get) ? evaluate(expr.then, get) : evaluate(expr.else, get);
    case 'call': {
      const fn = MATH_FUNCTIONS.get(expr.fn);
      if (fn === undefined) throw new Error(`internal: unvalidated function ${expr.fn}`);
      return fn.impl(...expr.args.map((a) => evaluate(a, get) as number));
    }
  }
}
