import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { collectLabel, parseLimit, parseParamsJson, parseTargets, parseTimeout } from './options.js';

describe('options', () => {
  it('splits comma-separated targets, dropping empties and repeats', () => {
    expect(parseTargets(['a,b', 'c', 'a,,'])).toEqual(['a', 'b', 'c']);
    expect(() => parseTargets([','])).toThrow(InvalidArgumentError);
  });

  it('accepts whole seconds 1..86400 only', () => {
    expect(parseTimeout('30')).toBe(30);
    for (const bad of ['0', '-1', '1.5', '86401', 'x', '']) expect(() => parseTimeout(bad), bad).toThrow(InvalidArgumentError);
    expect(parseLimit('500')).toBe(500);
    expect(() => parseLimit('501')).toThrow(InvalidArgumentError);
  });

  it('collects repeated labels and keeps "=" inside values', () => {
    expect(collectLabel('b=x=y', collectLabel('a=1'))).toEqual({ a: '1', b: 'x=y' });
    expect(() => collectLabel('novalue')).toThrow(InvalidArgumentError);
    expect(() => collectLabel('a=2', { a: '1' })).toThrow(/twice/);
  });

  it('takes --params only as a JSON object', () => {
    expect(parseParamsJson('{"all":true}')).toEqual({ all: true });
    expect(() => parseParamsJson('[1]')).toThrow(/object/);
    expect(() => parseParamsJson('{nope')).toThrow(/not valid JSON/);
  });
});
