import type { Expr } from '../expressions/ast.js';
import { emitExpression } from '../expressions/emit.js';
import type { NamedAggregate } from '../program/plan.js';
import type { Row } from '../program/types.js';
import { makeFunction } from './function-factory.js';

/**
 * Accumulator layout shared by generated loops and the combine step: each
 * aggregate owns one slot (mean owns two: sum and count). Knowing how each
 * slot combines is what makes a reduce partitionable.
 */
export type SlotCombine = { readonly kind: 'add' | 'min' | 'max' } | { readonly kind: 'custom'; readonly fn: ((a: number, b: number) => number) | undefined };

export interface SlotLayout {
  readonly combines: readonly SlotCombine[];
  /** Initial value source per slot, emitted into generated code. */
  readonly inits: readonly string[];
  readonly finalize: (slots: readonly number[], offset: number, into: Row) => void;
  /** Whether every slot can be combined, i.e. the aggregate is partitionable. */
  readonly combinable: boolean;
}

export function slotLayout(aggs: readonly NamedAggregate[]): SlotLayout {
  const combines: SlotCombine[] = [];
  const inits: string[] = [];
  const outputs: { name: string; slot: number; mean: boolean }[] = [];
  for (const { name, agg } of aggs) {
    outputs.push({ name, slot: combines.length, mean: agg.op === 'mean' });
    switch (agg.op) {
      case 'count':
      case 'sum':
        combines.push({ kind: 'add' });
        inits.push('0');
        break;
      case 'mean':
        combines.push({ kind: 'add' }, { kind: 'add' });
        inits.push('0', '0');
        break;
      case 'min':
        combines.push({ kind: 'min' });
        inits.push('Infinity');
        break;
      case 'max':
        combines.push({ kind: 'max' });
        inits.push('-Infinity');
        break;
      case 'custom':
        combines.push({
          kind: 'custom',
          fn:
            agg.combine === undefined
              ? undefined
              : makeFunction<(a: number, b: number) => number>(['a', 'b'], `return ${emitExpression(agg.combine, (f) => f)};`),
        });
        inits.push(emitExpression(agg.init, () => '0'));
        break;
    }
  }
  return {
    combines,
    inits,
    combinable: combines.every((c) => c.kind !== 'custom' || c.fn !== undefined),
    finalize(slots, offset, into) {
      for (const o of outputs) {
        const v = slots[offset + o.slot] as number;
        into[o.name] = o.mean ? v / (slots[offset + o.slot + 1] as number) : v;
      }
    },
  };
}

/** Folds slot b into slot a; min/max keep the earlier value on ties, like the sequential loop. */
export function combineSlots(layout: SlotLayout, a: number[], b: readonly number[], offset: number): void {
  layout.combines.forEach((c, i) => {
    const x = a[offset + i] as number;
    const y = b[offset + i] as number;
    switch (c.kind) {
      case 'add':
        a[offset + i] = x + y;
        break;
      case 'min':
        a[offset + i] = y < x ? y : x;
        break;
      case 'max':
        a[offset + i] = y > x ? y : x;
        break;
      case 'custom':
        if (c.fn === undefined) throw new Error('internal: custom aggregate without combine was partitioned');
        a[offset + i] = c.fn(x, y);
        break;
    }
  });
}

/** Statements updating each slot of `target` (a local name or `g[i]` cell) from one row. */
export function slotUpdates(aggs: readonly NamedAggregate[], cell: (slot: number) => string, ref: (field: string) => string, fresh: () => string): string {
  const lines: string[] = [];
  let slot = 0;
  for (const { agg } of aggs) {
    const value = (e: Expr) => emitExpression(e, ref);
    switch (agg.op) {
      case 'count':
        lines.push(`${cell(slot)} += 1;`);
        slot += 1;
        break;
      case 'sum':
        lines.push(`${cell(slot)} += ${value(agg.expr)};`);
        slot += 1;
        break;
      case 'mean':
        lines.push(`${cell(slot)} += ${value(agg.expr)};`, `${cell(slot + 1)} += 1;`);
        slot += 2;
        break;
      case 'min':
      case 'max': {
        const t = fresh();
        lines.push(`{ const ${t} = ${value(agg.expr)}; if (${t} ${agg.op === 'min' ? '<' : '>'} ${cell(slot)}) ${cell(slot)} = ${t}; }`);
        slot += 1;
        break;
      }
      case 'custom': {
        const acc = cell(slot);
        lines.push(`${acc} = ${emitExpression(agg.step, (f) => (f === 'acc' ? acc : ref(f)))};`);
        slot += 1;
        break;
      }
    }
  }
  return lines.join('\n');
}
