import type { Scalar } from '../program/types.js';

/**
 * Semantics both the reference interpreter and generated code must share,
 * kept in one place so "identical results" has one definition.
 */

/** Group identity: per-key SameValueZero, encoded so values of different types or with separators never collide. */
export function groupKey(values: readonly Scalar[]): string {
  let key = '';
  for (const v of values) key += typeof v === 'string' ? `s${v.length}:${v}` : `${typeof v === 'number' ? 'n' : 'b'}${String(v)};`;
  return key;
}

/** Start times of the windows [s, s + size) containing t, ascending; slide divides the axis from 0. */
export function windowStarts(t: number, size: number, slide: number): number[] {
  if (!Number.isFinite(t)) return [];
  const starts: number[] = [];
  const last = Math.floor(t / slide) * slide;
  for (let s = last; s > t - size; s -= slide) starts.unshift(s);
  return starts;
}

/** Ascending order for sort: numbers (NaN last), strings by code unit, false before true. */
export function compareScalars(a: Scalar, b: Scalar): number {
  if (typeof a === 'number' && typeof b === 'number') {
    const an = Number.isNaN(a);
    const bn = Number.isNaN(b);
    if (an || bn) return an === bn ? 0 : an ? 1 : -1;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}
