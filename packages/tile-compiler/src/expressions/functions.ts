/**
 * The only callable names in the language. Each maps to a fixed Math member;
 * codegen emits the Math member from this table, never the user's spelling.
 */
export interface MathFunction {
  readonly jsName: string;
  readonly minArgs: number;
  readonly maxArgs: number;
  readonly impl: (...args: number[]) => number;
}

export const MATH_FUNCTIONS: ReadonlyMap<string, MathFunction> = new Map<string, MathFunction>([
  ['abs', { jsName: 'Math.abs', minArgs: 1, maxArgs: 1, impl: Math.abs }],
  ['sqrt', { jsName: 'Math.sqrt', minArgs: 1, maxArgs: 1, impl: Math.sqrt }],
  ['floor', { jsName: 'Math.floor', minArgs: 1, maxArgs: 1, impl: Math.floor }],
  ['ceil', { jsName: 'Math.ceil', minArgs: 1, maxArgs: 1, impl: Math.ceil }],
  ['round', { jsName: 'Math.round', minArgs: 1, maxArgs: 1, impl: Math.round }],
  ['trunc', { jsName: 'Math.trunc', minArgs: 1, maxArgs: 1, impl: Math.trunc }],
  ['sign', { jsName: 'Math.sign', minArgs: 1, maxArgs: 1, impl: Math.sign }],
  ['exp', { jsName: 'Math.exp', minArgs: 1, maxArgs: 1, impl: Math.exp }],
  ['log', { jsName: 'Math.log', minArgs: 1, maxArgs: 1, impl: Math.log }],
  ['log2', { jsName: 'Math.log2', minArgs: 1, maxArgs: 1, impl: Math.log2 }],
  ['log10', { jsName: 'Math.log10', minArgs: 1, maxArgs: 1, impl: Math.log10 }],
  ['pow', { jsName: 'Math.pow', minArgs: 2, maxArgs: 2, impl: Math.pow }],
  ['min', { jsName: 'Math.min', minArgs: 2, maxArgs: 8, impl: Math.min }],
  ['max', { jsName: 'Math.max', minArgs: 2, maxArgs: 8, impl: Math.max }],
]);
