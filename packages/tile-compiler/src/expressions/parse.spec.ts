import { describe, expect, it } from 'vitest';
import { TileProgramError } from '../program/errors.js';
import { parseExpression } from './parse.js';
import { evaluate } from './evaluate.js';
import { compileRowFunction } from '../codegen/row-function.js';

const scope = { cpu: 'number', host: 'string', up: 'boolean' } as const;
const site = { tileId: 't1', field: 'f' };
const parse = (text: string) => parseExpression(text, scope, site);

describe(parseExpression.name, () => {
  it.each([
    ['cpu * 2 + 1', { cpu: 3 }, 7],
    ['row.cpu > 1 && up', { cpu: 3, up: true }, true],
    ['cpu > 50 ? "hot" : host', { cpu: 10, host: 'a' }, 'a'],
    ['max(cpu, 4, 2) - abs(-3)', { cpu: 1 }, 1],
    ['host == "db1" || !up', { host: 'db1', up: true }, true],
    ['host + "-x"', { host: 'h' }, 'h-x'],
    ['cpu % 4 === 3', { cpu: 7 }, true],
    ['pow(cpu, 2) + sqrt(16) + floor(2.5) + round(-1.5)', { cpu: 3 }, 9 + 4 + 2 - 1],
  ])('evaluates %s the same tree-walked and compiled', (text, row, expected) => {
    const expr = parse(text);
    const full = { cpu: 0, host: '', up: false, ...row };
    expect(evaluate(expr, (f) => full[f as keyof typeof full])).toEqual(expected);
    expect(compileRowFunction(expr)(full)).toEqual(expected);
  });

  it.each([
    ['cpu + host', 'right of + needs number, got string'],
    ['up ? 1 : "a"', 'ternary branches differ in type'],
    ['cpu && up', 'left of && needs boolean'],
    ['cpu < host', 'compares two numbers or two strings'],
    ['disk > 1', 'unknown field "disk"'],
    ['cpu ? 1 : 2', 'ternary condition needs boolean'],
    ['abs(cpu, 2)', 'abs takes 1 arguments, got 2'],
    ['cpu +', 'syntax error'],
  ])('rejects ill-typed %s', (text, message) => {
    expect(() => parse(text)).toThrow(message);
  });

  it('names the tile and the field in errors', () => {
    const err = (() => {
      try {
        parse('disk > 1');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(TileProgramError);
    expect(err).toMatchObject({ tileId: 't1', field: 'f' });
    expect(String((err as Error).message)).toContain('tile "t1", field "f"');
  });
});
