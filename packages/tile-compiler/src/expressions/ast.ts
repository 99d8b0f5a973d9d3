import type { FieldType, Scalar } from '../program/types.js';

/** The validated, typed expression tree. Code is only ever emitted from this. */
export type BinaryOp = '+' | '-' | '*' | '/' | '%' | '<' | '<=' | '>' | '>=' | '==' | '!=' | '&&' | '||';
export type UnaryOp = '-' | '!';

export type Expr =
  | { readonly k: 'lit'; readonly type: FieldType; readonly value: Scalar }
  | { readonly k: 'field'; readonly type: FieldType; readonly name: string }
  | { readonly k: 'unary'; readonly type: FieldType; readonly op: UnaryOp; readonly arg: Expr }
  | { readonly k: 'binary'; readonly type: FieldType; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr }
  | { readonly k: 'cond'; readonly type: FieldType; readonly test: Expr; readonly then: Expr; readonly else: Expr }
  | { readonly k: 'call'; readonly type: 'number'; readonly fn: string; readonly args: readonly Expr[] };

/** Fields an expression reads; drives dead-field projection. */
export function fieldsRead(expr: Expr, into: Set<string> = new Set()): Set<string> {
  switch (expr.k) {
    case 'lit':
      break;
    case 'field':
      into.add(expr.name);
      break;
    case 'unary':
      fieldsRead(expr.arg, into);
      break;
    case 'binary':
      fieldsRead(expr.left, into);
      fieldsRead(expr.right, into);
      break;
    case 'cond':
      fieldsRead(expr.test, into);
      fieldsRead(expr.then, into);
      fieldsRead(expr.else, into);
      break;
    case 'call':
      for (const a of expr.args) fieldsRead(a, into);
      break;
  }
  return into;
}

/** Node count: the cost model's unit of work per evaluation. */
export function nodeCount(expr: Expr): number {
  switch (expr.k) {
    case 'lit':
    case 'field':
      return 1;
    case 'unary':
      return 1 + nodeCount(expr.arg);
    case 'binary':
      return 1 + nodeCount(expr.left) + nodeCount(expr.right);
    case 'cond':
      return 1 + nodeCount(expr.test) + nodeCount(expr.then) + nodeCount(expr.else);
    case 'call':
      return 1 + expr.args.reduce((n, a) => n + nodeCount(a), 0);
  }
}
