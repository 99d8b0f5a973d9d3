import type { NodeOf } from '../program/plan.js';
import type { Row, Scalar } from '../program/types.js';
import { compareScalars } from '../reference/aggregate-semantics.js';

export function rowComparator(node: NodeOf<'sort'>): (a: Row, b: Row) => number {
  const by = node.by.map((b) => ({ field: b.field, sign: b.order === 'asc' ? 1 : -1 }));
  return (a, b) => {
    for (const { field, sign } of by) {
      const c = compareScalars(a[field] as Scalar, b[field] as Scalar);
      if (c !== 0) return c * sign;
    }
    return 0;
  };
}

/** Merges individually sorted runs; ties go to the earlier run, which keeps the result equal to one stable sort. */
export function mergeSortedRuns(runs: readonly Row[][], cmp: (a: Row, b: Row) => number): Row[] {
  const heads = runs.map(() => 0);
  const total = runs.reduce((n, r) => n + r.length, 0);
  const out: Row[] = new Array<Row>(total);
  for (let o = 0; o < total; o++) {
    let best = -1;
    for (let r = 0; r < runs.length; r++) {
      const run = runs[r] as Row[];
      const h = heads[r] as number;
      if (h >= run.length) continue;
      if (best === -1 || cmp(run[h] as Row, (runs[best] as Row[])[heads[best] as number] as Row) < 0) best = r;
    }
    out[o] = (runs[best] as Row[])[heads[best] as number] as Row;
    heads[best] = (heads[best] as number) + 1;
  }
  return out;
}

/** Contiguous, near-equal index ranges: the partition function handed to the worker pool. */
export function partitionRanges(length: number, partitions: number): { start: number; end: number }[] {
  const k = Math.max(1, Math.min(partitions, Math.max(length, 1)));
  const ranges: { start: number; end: number }[] = [];
  for (let p = 0; p < k; p++) ranges.push({ start: Math.floor((p * length) / k), end: Math.floor(((p + 1) * length) / k) });
  return ranges;
}
