/**
 * Bounds on user expressions. They keep parsing, type checking and codegen
 * linear and shallow (no stack exhaustion from `((((...` or `!!!!...`), and keep
 * literals inside the range where doubles are exact integers.
 */
export const EXPRESSION_LIMITS = {
  maxLength: 1_000,
  maxDepth: 32,
  maxNodes: 256,
  maxAbsNumber: 1e15,
  maxStringLength: 256,
} as const;

/**
 * Names that reach JavaScript's object model or host globals. They are refused
 * as identifiers and as field names even when a schema would allow them, so no
 * program can be written that depends on them.
 */
export const FORBIDDEN_NAMES: ReadonlySet<string> = new Set([
  'constructor',
  '__proto__',
  'prototype',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
  'globalThis',
  'global',
  'window',
  'self',
  'process',
  'require',
  'module',
  'exports',
  'import',
  'eval',
  'Function',
  'arguments',
  'this',
  'new',
  'hasOwnProperty',
  'toString',
  'valueOf',
  'Reflect',
  'Proxy',
  'Object',
  'Array',
  'Math',
  'JSON',
]);

const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** Returns why a name cannot be a field, or undefined when it can. */
export function fieldNameProblem(name: string): string | undefined {
  if (!FIELD_NAME.test(name)) return 'field names must match [A-Za-z_][A-Za-z0-9_]{0,63}';
  if (FORBIDDEN_NAMES.has(name)) return `"${name}" is a reserved name and cannot be used`;
  return undefined;
}
