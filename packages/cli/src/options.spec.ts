import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { collectLabel, collectScope, parseExpires, parseLimit, parseParamsJson, parseTargets, parseTimeout } from './options.js';

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

  it('reads --expires as a duration from now or a future ISO 8601 time', () => {
    const now = Date.parse('2026-12-01T10:00:00Z');
    expect(parseExpires('30d', now)).toBe('2026-12-31T10:00:00.000Z');
    expect(parseExpires('12h', now)).toBe('2026-12-01T22:00:00.000Z');
    expect(parseExpires('90m', now)).toBe('2026-12-01T11:30:00.000Z');
    expect(parseExpires('2w', now)).toBe('2026-12-15T10:00:00.000Z');
    expect(parseExpires('2027-01-01T01:00:00+01:00', now)).toBe('2027-01-01T00:00:00.000Z');
    for (const bad of ['0d', '30', '30y', 'Jan 1 2027', '2027-01-01', '2026-12-01T09:00:00Z'])
      expect(() => parseExpires(bad, now), bad).toThrow(InvalidArgumentError);
  });

  it('collects scopes from repeats and comma lists, refusing unknown ones', () => {
    expect(collectScope('commands:read,agents:read', collectScope('agents:read'))).toEqual(['agents:read', 'commands:read']);
    expect(() => collectScope('agents:delete')).toThrow(/not a scope/);
  });
});
