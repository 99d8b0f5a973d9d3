import type { Expr } from '../expressions/ast.js';
import { emitExpression } from '../expressions/emit.js';
import type { Row, Scalar } from '../program/types.js';
import { makeFunction } from './function-factory.js';

/** A compiled expression over one row, for non-fused operators and tests. */
export function compileRowFunction(expr: Expr): (row: Row) => Scalar {
  return makeFunction<(row: Row) => Scalar>(['row'], `return ${emitExpression(expr, (f) => `row.${f}`)};`);
}
