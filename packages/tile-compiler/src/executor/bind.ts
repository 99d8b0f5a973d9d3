import { TileProgramError } from '../program/errors.js';
import type { PlanNode } from '../program/plan.js';
import type { Inputs, Row } from '../program/types.js';

export type ColumnData = Readonly<Record<string, ArrayLike<number>>>;
export type SourceData =
  { readonly kind: 'rows'; readonly rows: readonly Row[] } | { readonly kind: 'columns'; readonly columns: ColumnData; readonly length: number };

/**
 * Resolves a source tile's data: inline data from the program, else the
 * run-time binding under the tile id. Checks shape once here so generated
 * loops can trust it.
 */
export function bindSource(node: PlanNode, inputs: Inputs): SourceData {
  if (node.kind === 'records') {
    const bound = node.rows ?? inputs[node.id];
    if (!Array.isArray(bound)) throw new TileProgramError(node.id, 'rows', 'no inline rows and no rows bound at run time');
    const rows = bound as readonly Row[];
    for (const [field, type] of Object.entries(node.schema)) {
      for (let i = 0; i < rows.length; i++) {
        if (typeof rows[i]?.[field] !== type) throw new TileProgramError(node.id, field, `row ${i}: expected ${type}`);
      }
    }
    return { kind: 'rows', rows };
  }
  if (node.kind === 'columns') {
    const bound = node.data ?? inputs[node.id];
    if (bound === undefined || Array.isArray(bound)) throw new TileProgramError(node.id, 'data', 'no inline columns and no columns bound at run time');
    const columns = bound as ColumnData;
    let length = -1;
    for (const field of Object.keys(node.schema)) {
      const col = columns[field];
      if (!(col instanceof Float64Array) && !Array.isArray(col)) throw new TileProgramError(node.id, field, 'column must be a Float64Array or number[]');
      if (length !== -1 && col.length !== length) throw new TileProgramError(node.id, field, `column length ${col.length} differs from ${length}`);
      length = col.length;
    }
    return { kind: 'columns', columns, length: Math.max(length, 0) };
  }
  throw new Error(`internal: ${node.id} is not a source`);
}

export function sourceLength(data: SourceData): number {
  return data.kind === 'rows' ? data.rows.length : data.length;
}

/** Boxes columns into rows, for consumers that need whole records (sort, sinks). */
export function toRows(data: SourceData, fields: readonly string[]): Row[] {
  if (data.kind === 'rows') return data.rows as Row[];
  const out: Row[] = new Array<Row>(data.length);
  for (let i = 0; i < data.length; i++) {
    const r: Row = {};
    for (const f of fields) r[f] = (data.columns[f] as ArrayLike<number>)[i] as number;
    out[i] = r;
  }
  return out;
}
