import jsep from 'jsep';
import type { FieldType, Schema } from '../program/types.js';
import { TileProgramError, type ExpressionSite } from '../program/errors.js';
import type { BinaryOp, Expr } from './ast.js';
import { MATH_FUNCTIONS } from './functions.js';
import { EXPRESSION_LIMITS, FORBIDDEN_NAMES } from './limits.js';

const BINARY_OPS: ReadonlyMap<string, BinaryOp> = new Map<string, BinaryOp>([
  ['+', '+'],
  ['-', '-'],
  ['*', '*'],
  ['/', '/'],
  ['%', '%'],
  ['<', '<'],
  ['<=', '<='],
  ['>', '>'],
  ['>=', '>='],
  ['==', '=='],
  ['===', '=='],
  ['!=', '!='],
  ['!==', '!='],
  ['&&', '&&'],
  ['||', '||'],
]);

/** Nesting is checked before jsep sees the text, so jsep's recursion stays shallow. */
function bracketDepth(text: string): number {
  let depth = 0;
  let max = 0;
  for (const ch of text) {
    if (ch === '(' || ch === '[' || ch === '{') max = Math.max(max, ++depth);
    else if (ch === ')' || ch === ']' || ch === '}') depth--;
  }
  return max;
}

/**
 * jsep's syntax trees by text. Parsing is most of a cold compile (jsep's code is not optimised
 * yet on the first program a process sees), and programs repeat expressions — the same map or
 * filter on many branches, the same program compiled by each worker thread. A tree is plain
 * data that convert() only reads, so one tree serves every parse of the text. Syntax errors are
 * not kept (they throw each time). Bounded: cleared when full, which costs a re-parse only.
 */
const syntaxTrees = new Map<string, unknown>();
const MAX_SYNTAX_TREES = 8_192;

function parseSyntax(text: string): unknown {
  let tree = syntaxTrees.get(text);
  if (tree === undefined) {
    tree = jsep(text);
    if (syntaxTrees.size >= MAX_SYNTAX_TREES) syntaxTrees.clear();
    syntaxTrees.set(text, tree);
  }
  return tree;
}

/** Node shape jsep returns; read defensively since it is untyped input to us. */
interface RawNode {
  readonly type: string;
  readonly [key: string]: unknown;
}

function asNode(value: unknown): RawNode | undefined {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string' ? (value as RawNode) : undefined;
}

/**
 * Parses user text with jsep, then converts the generic AST into our typed
 * Expr, rejecting every node kind, name and operator not in the language and
 * checking types against `scope`.
 */
export function parseExpression(text: string, scope: Schema, site: ExpressionSite): Expr {
  const fail = (detail: string): never => {
    throw new TileProgramError(site.tileId, site.field, `expression ${JSON.stringify(text.slice(0, 80))}: ${detail}`);
  };
  if (typeof text !== 'string') fail('expression must be a string');
  if (text.length > EXPRESSION_LIMITS.maxLength) fail(`longer than ${EXPRESSION_LIMITS.maxLength} characters`);
  if (bracketDepth(text) > EXPRESSION_LIMITS.maxDepth) fail(`nested deeper than ${EXPRESSION_LIMITS.maxDepth}`);

  let raw: unknown;
  try {
    raw = parseSyntax(text);
  } catch (err) {
    return fail(`syntax error: ${err instanceof Error ? err.message : String(err)}`);
  }

  let nodes = 0;
  const convert = (value: unknown, depth: number): Expr => {
    if (++nodes > EXPRESSION_LIMITS.maxNodes) fail(`more than ${EXPRESSION_LIMITS.maxNodes} nodes`);
    if (depth > EXPRESSION_LIMITS.maxDepth) fail(`nested deeper than ${EXPRESSION_LIMITS.maxDepth}`);
    const node = asNode(value) ?? fail('unreadable syntax tree');
    switch (node.type) {
      case 'Literal':
        return literal(node);
      case 'Identifier':
        return field(node['name']);
      case 'MemberExpression': {
        // Only `row.field` is field access; any other member access could walk the prototype chain.
        const object = asNode(node['object']);
        const property = asNode(node['property']);
        if (node['computed'] !== false || object?.type !== 'Identifier' || object['name'] !== 'row' || property?.type !== 'Identifier') {
          return fail('member access is only allowed as row.<field>');
        }
        return field(property['name']);
      }
      case 'UnaryExpression': {
        const op = node['operator'];
        const arg = convert(node['argument'], depth + 1);
        if (op === '-' || op === '+') {
          expectType(arg, 'number', `unary ${String(op)}`);
          return op === '+' ? arg : { k: 'unary', type: 'number', op: '-', arg };
        }
        if (op === '!') {
          expectType(arg, 'boolean', 'unary !');
          return { k: 'unary', type: 'boolean', op: '!', arg };
        }
        return fail(`operator ${String(op)} is not allowed`);
      }
      case 'BinaryExpression':
      case 'LogicalExpression': {
        const op = BINARY_OPS.get(String(node['operator'])) ?? fail(`operator ${String(node['operator'])} is not allowed`);
        const left = convert(node['left'], depth + 1);
        const right = convert(node['right'], depth + 1);
        return binary(op, left, right);
      }
      case 'ConditionalExpression': {
        const test = convert(node['test'], depth + 1);
        const then = convert(node['consequent'], depth + 1);
        const otherwise = convert(node['alternate'], depth + 1);
        expectType(test, 'boolean', 'ternary condition');
        if (then.type !== otherwise.type) fail(`ternary branches differ in type (${then.type} vs ${otherwise.type})`);
        return { k: 'cond', type: then.type, test, then, else: otherwise };
      }
      case 'CallExpression': {
        const callee = asNode(node['callee']);
        const name = callee?.type === 'Identifier' ? callee['name'] : undefined;
        const fn = typeof name === 'string' && !FORBIDDEN_NAMES.has(name) ? MATH_FUNCTIONS.get(name) : undefined;
        if (fn === undefined || typeof name !== 'string') {
          return fail(
            `call to ${typeof name === 'string' ? `"${name}"` : 'a computed callee'} is not allowed; allowed functions: ${[...MATH_FUNCTIONS.keys()].join(', ')}`,
          );
        }
        const rawArgs = node['arguments'];
        if (!Array.isArray(rawArgs)) return fail('unreadable call arguments');
        if (rawArgs.length < fn.minArgs || rawArgs.length > fn.maxArgs) {
          fail(`${name} takes ${fn.minArgs === fn.maxArgs ? fn.minArgs : `${fn.minArgs}..${fn.maxArgs}`} arguments, got ${rawArgs.length}`);
        }
        const args = rawArgs.map((a: unknown) => convert(a, depth + 1));
        for (const a of args) expectType(a, 'number', `argument of ${name}`);
        return { k: 'call', type: 'number', fn: name, args };
      }
      default:
        return fail(`${node.type} is not part of the expression language`);
    }
  };

  const literal = (node: RawNode): Expr => {
    const value = node['value'];
    const raw = node['raw'];
    const rawText = typeof raw === 'string' ? raw : '';
    if (typeof value === 'number') {
      if (!Number.isFinite(value) || Math.abs(value) > EXPRESSION_LIMITS.maxAbsNumber) {
        fail(`numeric literal ${rawText.slice(0, 40)} is outside ±${EXPRESSION_LIMITS.maxAbsNumber}`);
      }
      return { k: 'lit', type: 'number', value };
    }
    if (typeof value === 'string') {
      if (value.length > EXPRESSION_LIMITS.maxStringLength) fail(`string literal longer than ${EXPRESSION_LIMITS.maxStringLength}`);
      return { k: 'lit', type: 'string', value };
    }
    if (typeof value === 'boolean') return { k: 'lit', type: 'boolean', value };
    // jsep reports out-of-range numbers such as 1e400 as a null/Infinity literal.
    if (/^[0-9.]/.test(rawText)) return fail(`numeric literal ${rawText.slice(0, 40)} is outside ±${EXPRESSION_LIMITS.maxAbsNumber}`);
    return fail(`literal ${rawText.slice(0, 40)} is not allowed`);
  };

  const field = (name: unknown): Expr => {
    if (typeof name !== 'string') return fail('unreadable identifier');
    if (FORBIDDEN_NAMES.has(name)) return fail(`"${name}" is a reserved name and cannot be used`);
    if (!Object.hasOwn(scope, name)) {
      return fail(`unknown field "${name}"; available: ${Object.keys(scope).join(', ') || '(none)'}`);
    }
    const type = scope[name] as FieldType;
    return { k: 'field', type, name };
  };

  const expectType = (e: Expr, type: FieldType, what: string): void => {
    if (e.type !== type) fail(`${what} needs ${type}, got ${e.type}`);
  };

  const binary = (op: BinaryOp, left: Expr, right: Expr): Expr => {
    switch (op) {
      case '+':
        if (left.type === 'string' && right.type === 'string') return { k: 'binary', type: 'string', op, left, right };
      // falls through: otherwise + is numeric
      case '-':
      case '*':
      case '/':
      case '%':
        expectType(left, 'number', `left of ${op}`);
        expectType(right, 'number', `right of ${op}`);
        return { k: 'binary', type: 'number', op, left, right };
      case '<':
      case '<=':
      case '>':
      case '>=':
        if (left.type === 'boolean' || left.type !== right.type) fail(`${op} compares two numbers or two strings, got ${left.type} and ${right.type}`);
        return { k: 'binary', type: 'boolean', op, left, right };
      case '==':
      case '!=':
        if (left.type !== right.type) fail(`${op} compares values of one type, got ${left.type} and ${right.type}`);
        return { k: 'binary', type: 'boolean', op, left, right };
      case '&&':
      case '||':
        expectType(left, 'boolean', `left of ${op}`);
        expectType(right, 'boolean', `right of ${op}`);
        return { k: 'binary', type: 'boolean', op, left, right };
    }
  };

  return convert(raw, 0);
}
