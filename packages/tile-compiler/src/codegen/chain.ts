import { emitExpression } from '../expressions/emit.js';
import type { Row } from '../program/types.js';
import { groupKey, windowStarts } from '../reference/aggregate-semantics.js';
import type { ChainStage, StreamNode } from '../passes/stages.js';
import { combineSlots, slotLayout, slotUpdates, type SlotLayout } from './aggregate-slots.js';
import { makeFunction } from './function-factory.js';

/** Partial result of one partition: rows, a reduce's slots, or a group map (insertion-ordered). */
export type Partial = Row[] | number[] | Map<unknown, unknown[]>;

export interface CompiledChain {
  readonly stage: ChainStage;
  /** The generated loop's source, kept for explain() and debugging. */
  readonly source: string;
  /** Runs rows [start, end) of the input into a partial result. */
  readonly runPartition: (src: unknown, start: number, end: number) => Partial;
  /** Folds partials (in partition order) and produces the stage's rows. */
  readonly combine: (partials: readonly Partial[]) => Row[];
  /** False when a custom aggregate lacks a combine expression. */
  readonly partitionable: boolean;
}

/**
 * Generates one loop for a fused chain. Each map binds fresh `const` locals,
 * each filter opens an `if`, each flatMap entry inlines the rest of the chain;
 * rows are only built if the chain ends by collecting. Column inputs are read
 * straight from typed arrays, so numbers stay unboxed.
 */
export function compileChain(stage: ChainStage, inputFields: readonly string[], columnar: boolean): CompiledChain {
  let counter = 0;
  const fresh = () => `v${counter++}`;
  const prelude: string[] = [];
  const load: string[] = [];
  const env = new Map<string, string>();

  for (const field of inputFields) {
    const v = fresh();
    env.set(field, v);
    if (columnar) {
      const c = `c${counter}`;
      prelude.push(`const ${c} = src[${JSON.stringify(field)}];`);
      load.push(`const ${v} = ${c}[i];`);
    } else {
      load.push(`const ${v} = r[${JSON.stringify(field)}];`);
    }
  }

  const terminal = stage.terminal;
  let layout: SlotLayout | undefined;
  let epilogue: string;
  let terminalBody: (env: Map<string, string>) => string;
  const ref = (e: Map<string, string>) => (f: string) => e.get(f) ?? '(undefined)';

  if (terminal === undefined) {
    prelude.push('const out = [];');
    const outFields = Object.keys(stage.ops.at(-1)?.schema ?? {});
    terminalBody = (e) => `out.push({ ${outFields.map((f) => `${JSON.stringify(f)}: ${ref(e)(f)}`).join(', ')} });`;
    epilogue = 'return out;';
  } else if (terminal.kind === 'reduce') {
    layout = slotLayout(terminal.aggregates);
    const slots = layout.inits.map((_, i) => `s${i}`);
    prelude.push(...layout.inits.map((init, i) => `let s${i} = ${init};`));
    terminalBody = (e) => slotUpdates(terminal.aggregates, (i) => `s${i}`, ref(e), fresh);
    epilogue = `return [${slots.join(', ')}];`;
  } else {
    layout = slotLayout(terminal.aggregates);
    const isWindow = terminal.kind === 'window';
    const lead = (isWindow ? 1 : 0) + terminal.keys.length;
    prelude.push('const groups = new Map();');
    terminalBody = (e) => {
      const keyVals = terminal.keys.map((k) => ref(e)(k));
      const cells = [...(isWindow ? ['ws'] : []), ...keyVals];
      const key = cells.length === 1 ? (cells[0] as string) : `groupKey([${cells.join(', ')}])`;
      const body = [
        `const k = ${key};`,
        'let g = groups.get(k);',
        `if (g === undefined) { g = [${[...cells, ...(layout as SlotLayout).inits].join(', ')}]; groups.set(k, g); }`,
        slotUpdates(terminal.aggregates, (i) => `g[${lead + i}]`, ref(e), fresh),
      ].join('\n');
      return isWindow ? `for (const ws of windowStarts(${ref(e)(terminal.timeField)}, ${terminal.size}, ${terminal.slide})) {\n${body}\n}` : `{\n${body}\n}`;
    };
    epilogue = 'return groups;';
  }

  const body = (k: number, e: Map<string, string>): string => {
    const op: StreamNode | undefined = stage.ops[k];
    if (op === undefined) return terminalBody(e);
    switch (op.kind) {
      case 'map': {
        const next = new Map<string, string>();
        const lines = op.fields.map((f) => {
          const v = fresh();
          next.set(f.name, v);
          return `const ${v} = ${emitExpression(f.expr, ref(e))};`;
        });
        return `${lines.join('\n')}\n${body(k + 1, next)}`;
      }
      case 'filter':
        return `if (${emitExpression(op.predicate, ref(e))}) {\n${body(k + 1, e)}\n}`;
      case 'flatMap':
        return op.emit
          .map((entry) => {
            const next = new Map<string, string>();
            const lines = entry.fields.map((f) => {
              const v = fresh();
              next.set(f.name, v);
              return `const ${v} = ${emitExpression(f.expr, ref(e))};`;
            });
            const inner = `${lines.join('\n')}\n${body(k + 1, next)}`;
            return entry.when === undefined ? `{\n${inner}\n}` : `if (${emitExpression(entry.when, ref(e))}) {\n${inner}\n}`;
          })
          .join('\n');
    }
  };

  const loopBody = body(0, env);
  const source = [...prelude, 'for (let i = start; i < end; i++) {', ...(columnar ? [] : ['const r = src[i];']), ...load, loopBody, '}', epilogue].join('\n');
  const runPartition = makeFunction<(src: unknown, start: number, end: number) => Partial>(['src', 'start', 'end'], source, { groupKey, windowStarts });

  return { stage, source, runPartition, combine: combiner(stage, layout), partitionable: layout?.combinable ?? true };
}

function combiner(stage: ChainStage, layout: SlotLayout | undefined): (partials: readonly Partial[]) => Row[] {
  const terminal = stage.terminal;
  if (terminal === undefined || layout === undefined) return (partials) => (partials.length === 1 ? (partials[0] as Row[]) : (partials as Row[][]).flat());
  if (terminal.kind === 'reduce') {
    return (partials) => {
      const acc = [...(partials[0] as number[])];
      for (const p of partials.slice(1)) combineSlots(layout, acc, p as number[], 0);
      const row: Row = {};
      layout.finalize(acc, 0, row);
      return [row];
    };
  }
  const isWindow = terminal.kind === 'window';
  const lead = (isWindow ? 1 : 0) + terminal.keys.length;
  return (partials) => {
    // Partitions are folded in order, so groups keep first-occurrence order.
    const merged = new Map<unknown, unknown[]>(partials[0] as Map<unknown, unknown[]>);
    for (const p of partials.slice(1)) {
      for (const [k, g] of p as Map<unknown, unknown[]>) {
        const existing = merged.get(k);
        if (existing === undefined) merged.set(k, g);
        else {
          const copy = [...existing];
          combineSlots(layout, copy as number[], g as number[], lead);
          merged.set(k, copy);
        }
      }
    }
    const out: Row[] = [];
    for (const g of merged.values()) {
      const row: Row = {};
      if (isWindow) {
        row['windowStart'] = g[0] as number;
        row['windowEnd'] = (g[0] as number) + terminal.size;
      }
      terminal.keys.forEach((key, i) => (row[key] = g[(isWindow ? 1 : 0) + i] as Row[string]));
      layout.finalize(g as number[], lead, row);
      out.push(row);
    }
    if (isWindow) out.sort((a, b) => (a['windowStart'] as number) - (b['windowStart'] as number));
    return out;
  };
}
