/**
 * The single place generated source becomes a function. Callers pass source
 * built only by emitExpression and the codegen templates, never user text.
 * `helpers` are handed in as parameters so generated code needs no globals
 * other than Math.
 */
export function makeFunction<F>(params: readonly string[], body: string, helpers: Readonly<Record<string, unknown>> = {}): F {
  const names = Object.keys(helpers);
  // The body is emitted from validated ASTs and fixed templates only; see emitExpression.
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- compiling generated source is this module's purpose; the body is never user text (see above)
  const factory = new Function(...names, `"use strict";\nreturn function (${params.join(', ')}) {\n${body}\n};`) as (...h: unknown[]) => F;
  return factory(...names.map((n) => helpers[n]));
}
