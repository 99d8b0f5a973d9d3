import { evaluate } from '../expressions/evaluate.js';
import type { Expr } from '../expressions/ast.js';
import { bindSource, toRows } from '../executor/bind.js';
import type { NamedAggregate, Plan, PlanNode } from '../program/plan.js';
import type { Inputs, Outputs, Row, Scalar } from '../program/types.js';
import { compareScalars, groupKey, windowStarts } from './aggregate-semantics.js';

export interface TileStats {
  rowsIn: number;
  rowsOut: number;
}

/**
 * Naive tile-by-tile interpretation: every tile materialises its whole output
 * array and expressions are tree-walked. It is the oracle the optimised and
 * partitioned executors are tested against, and benchmark case (a).
 */
export function interpret(plan: Plan, inputs: Inputs = {}): { outputs: Outputs; stats: Map<string, TileStats> } {
  const results = new Map<string, Row[]>();
  const stats = new Map<string, TileStats>();
  const outputs: Outputs = {};
  for (const node of plan.nodes) {
    const ins = node.inputs.map((i) => results.get(i) as Row[]);
    const out = runTile(node, ins, inputs);
    results.set(node.id, out);
    stats.set(node.id, { rowsIn: ins.reduce((n, r) => n + r.length, 0), rowsOut: out.length });
    if (node.kind === 'sink') outputs[node.id] = out;
  }
  return { outputs, stats };
}

const ev = (expr: Expr, row: Row): Scalar => evaluate(expr, (f) => row[f] as Scalar);

function runTile(node: PlanNode, ins: readonly Row[][], inputs: Inputs): Row[] {
  const input = ins[0] ?? [];
  switch (node.kind) {
    case 'records':
    case 'columns': {
      const fields = Object.keys(node.schema);
      return toRows(bindSource(node, inputs), fields).map((r) => Object.fromEntries(fields.map((f) => [f, r[f] as Scalar])));
    }
    case 'map':
      return input.map((r) => Object.fromEntries(node.fields.map((f) => [f.name, ev(f.expr, r)])));
    case 'filter':
      return input.filter((r) => ev(node.predicate, r) === true);
    case 'flatMap':
      return input.flatMap((r) =>
        node.emit.filter((e) => e.when === undefined || ev(e.when, r) === true).map((e) => Object.fromEntries(e.fields.map((f) => [f.name, ev(f.expr, r)]))),
      );
    case 'reduce':
      return [aggregateRows(node.aggregates, input)];
    case 'groupBy': {
      const groups = new Map<string, { keys: Row; rows: Row[] }>();
      for (const r of input) {
        const k = groupKey(node.keys.map((f) => r[f] as Scalar));
        let g = groups.get(k);
        if (g === undefined) groups.set(k, (g = { keys: Object.fromEntries(node.keys.map((f) => [f, r[f] as Scalar])), rows: [] }));
        g.rows.push(r);
      }
      return [...groups.values()].map((g) => ({ ...g.keys, ...aggregateRows(node.aggregates, g.rows) }));
    }
    case 'window': {
      const groups = new Map<string, { start: number; keys: Row; rows: Row[] }>();
      for (const r of input) {
        for (const start of windowStarts(r[node.timeField] as number, node.size, node.slide)) {
          const k = groupKey([start, ...node.keys.map((f) => r[f] as Scalar)]);
          let g = groups.get(k);
          if (g === undefined) groups.set(k, (g = { start, keys: Object.fromEntries(node.keys.map((f) => [f, r[f] as Scalar])), rows: [] }));
          g.rows.push(r);
        }
      }
      return [...groups.values()]
        .sort((a, b) => a.start - b.start)
        .map((g) => ({ windowStart: g.start, windowEnd: g.start + node.size, ...g.keys, ...aggregateRows(node.aggregates, g.rows) }));
    }
    case 'sort':
      return [...input].sort((a, b) => {
        for (const { field, order } of node.by) {
          const c = compareScalars(a[field] as Scalar, b[field] as Scalar);
          if (c !== 0) return order === 'asc' ? c : -c;
        }
        return 0;
      });
    case 'limit':
      return input.slice(0, node.count);
    case 'merge':
      return ins.flat();
    case 'sink':
      return input;
  }
}

function aggregateRows(aggs: readonly NamedAggregate[], rows: readonly Row[]): Row {
  const out: Row = {};
  for (const { name, agg } of aggs) {
    switch (agg.op) {
      case 'count':
        out[name] = rows.length;
        break;
      case 'sum':
      case 'mean': {
        let s = 0;
        for (const r of rows) s += ev(agg.expr, r) as number;
        out[name] = agg.op === 'sum' ? s : s / rows.length;
        break;
      }
      case 'min': {
        let m = Infinity;
        for (const r of rows) {
          const v = ev(agg.expr, r) as number;
          m = v < m ? v : m;
        }
        out[name] = m;
        break;
      }
      case 'max': {
        let m = -Infinity;
        for (const r of rows) {
          const v = ev(agg.expr, r) as number;
          m = v > m ? v : m;
        }
        out[name] = m;
        break;
      }
      case 'custom': {
        let acc = evaluate(agg.init, () => 0) as number;
        for (const r of rows) acc = evaluate(agg.step, (f) => (f === 'acc' ? acc : (r[f] as Scalar))) as number;
        out[name] = acc;
        break;
      }
    }
  }
  return out;
}
