import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileRowFunction } from '../codegen/row-function.js';
import { TileProgramError } from '../program/errors.js';
import type { Expr } from './ast.js';
import { MATH_FUNCTIONS } from './functions.js';
import { parseExpression } from './parse.js';

const scope = { x: 'number', y: 'number', name: 'string', ok: 'boolean' } as const;
/** Shallow but wide: 339 nodes in under 1000 characters, to hit the node limit rather than depth. */
function wideTree(): string {
  const level = (inner: string, n: number) => `max(${Array(n).fill(inner).join(',')})`;
  return level(level(level(level('x', 4), 4), 8), 2);
}
const parse = (text: string) => parseExpression(text, scope, { tileId: 'evil', field: 'expr' });

describe('hostile expressions', () => {
  it.each([
    ['constructor', 'reserved name'],
    ['x.constructor', 'member access is only allowed as row.<field>'],
    ['row.constructor', 'reserved name'],
    ['row.__proto__', 'reserved name'],
    ['__proto__', 'reserved name'],
    ['row["__proto__"]', 'member access is only allowed'],
    ['globalThis', 'reserved name'],
    ['process.exit(1)', 'call to a computed callee is not allowed'],
    ['process', 'reserved name'],
    ['require("fs")', 'call to "require" is not allowed'],
    ['eval("1")', 'call to "eval" is not allowed'],
    ['Function("return 1")()', 'call to a computed callee is not allowed'],
    ['Math.abs(x)', 'call to a computed callee'],
    ['this', 'ThisExpression is not part of the expression language'],
    ['[1, 2]', 'ArrayExpression is not part of'],
    ['x = 1', 'syntax error'],
    ['x, y', 'Compound is not part of'],
    ['x | 1', 'operator | is not allowed'],
    ['typeof x', 'not part of the expression language'],
    ['1e400', 'outside'],
    ['123456789012345678901234567890', 'outside'],
    [`"${'a'.repeat(300)}"`, 'string literal longer than'],
    ['('.repeat(40) + 'x' + ')'.repeat(40), 'nested deeper than'],
    ['-'.repeat(40) + 'x', 'nested deeper than'],
    ['x' + '+x'.repeat(40), 'nested deeper than'],
    [wideTree(), 'more than 256 nodes'],
    ['x'.repeat(1200), 'longer than'],
    ['alert(1)', 'call to "alert" is not allowed'],
  ])('rejects %s', (text, message) => {
    expect(() => parse(text)).toThrow(TileProgramError);
    expect(() => parse(text)).toThrow(message);
  });

  const tokens = [
    'x',
    'y',
    'name',
    'ok',
    'row',
    'row.x',
    'constructor',
    '__proto__',
    'prototype',
    'globalThis',
    'process',
    'require',
    'eval',
    'Function',
    'this',
    'Math',
    'abs',
    'max',
    'pow',
    'toString',
    'valueOf',
    '.',
    '[',
    ']',
    '(',
    ')',
    ',',
    '"constructor"',
    "'__proto__'",
    '`',
    '+',
    '-',
    '*',
    '/',
    '%',
    '!',
    '?',
    ':',
    '&&',
    '||',
    '==',
    '<',
    '=',
    ';',
    '=>',
    '{',
    '}',
    '1',
    '2.5',
    '1e308',
    '9e999',
    'new',
    'return',
    'import',
    ' ',
  ];
  const hostileText = fc.array(fc.constantFrom(...tokens), { minLength: 1, maxLength: 24 }).map((ts) => ts.join(''));

  function onlyWhitelisted(e: Expr): boolean {
    switch (e.k) {
      case 'lit':
        return true;
      case 'field':
        return Object.hasOwn(scope, e.name);
      case 'unary':
        return onlyWhitelisted(e.arg);
      case 'binary':
        return onlyWhitelisted(e.left) && onlyWhitelisted(e.right);
      case 'cond':
        return onlyWhitelisted(e.test) && onlyWhitelisted(e.then) && onlyWhitelisted(e.else);
      case 'call':
        return MATH_FUNCTIONS.has(e.fn) && e.args.every(onlyWhitelisted);
    }
  }

  /**
   * Whatever the text, it is either refused with a TileProgramError, or it
   * became a tree of whitelisted nodes whose compiled form reads nothing but
   * the schema's fields from the row (watched through a Proxy).
   */
  it('never executes anything outside the language (property)', () => {
    let accepted = 0;
    fc.assert(
      fc.property(fc.oneof(hostileText, fc.string({ maxLength: 60 })), (text) => {
        let expr: Expr;
        try {
          expr = parse(text);
        } catch (err) {
          expect(err).toBeInstanceOf(TileProgramError);
          return;
        }
        accepted++;
        expect(onlyWhitelisted(expr)).toBe(true);
        const reads: PropertyKey[] = [];
        const row = new Proxy(
          { x: 1, y: 2, name: 'n', ok: true },
          {
            get(target, key) {
              reads.push(key);
              return Reflect.get(target, key) as unknown;
            },
            set() {
              throw new Error('expression wrote to the row');
            },
          },
        );
        compileRowFunction(expr)(row);
        for (const key of reads) expect(Object.keys(scope)).toContain(key);
      }),
      { numRuns: 3000, seed: 42 },
    );
    // Guard against a vacuous pass: some generated texts are valid expressions.
    expect(accepted).toBeGreaterThan(10);
  });
});
