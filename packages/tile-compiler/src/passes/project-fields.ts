import { fieldsRead } from '../expressions/ast.js';
import type { NamedAggregate, Plan, PlanNode } from '../program/plan.js';
import { reschema, withPass } from './reschema.js';

/**
 * Dead-field elimination: walks back from the sinks collecting the fields each
 * tile's consumers read, then drops map/flatMap outputs and aggregates nobody
 * reads and narrows sources to the columns actually used.
 */
export function projectUnusedFields(plan: Plan): Plan {
  const required = new Map<string, Set<string>>(plan.nodes.map((n) => [n.id, new Set<string>()]));
  const need = (id: string, fields: Iterable<string>) => {
    const set = required.get(id) as Set<string>;
    for (const f of fields) set.add(f);
  };
  const rewritten = new Map<string, PlanNode>();
  const dropped: string[] = [];
  const keepAggs = (n: PlanNode & { aggregates: readonly NamedAggregate[] }, r: Set<string>) => {
    const kept = n.aggregates.filter((a) => r.has(a.name));
    for (const a of n.aggregates) if (!r.has(a.name)) dropped.push(`${n.id}.${a.name}`);
    return kept;
  };
  const aggReads = (aggs: readonly NamedAggregate[]) => {
    const s = new Set<string>();
    for (const { agg } of aggs) {
      if (agg.op === 'custom') {
        for (const f of fieldsRead(agg.step)) if (f !== 'acc') s.add(f);
      } else if (agg.op !== 'count') fieldsRead(agg.expr, s);
    }
    return s;
  };

  for (const node of [...plan.nodes].reverse()) {
    const r = required.get(node.id) as Set<string>;
    const input = node.inputs[0] ?? '';
    switch (node.kind) {
      case 'sink':
        need(input, Object.keys(node.schema));
        rewritten.set(node.id, node);
        break;
      case 'map': {
        const fields = node.fields.filter((f) => r.has(f.name));
        for (const f of node.fields) if (!r.has(f.name)) dropped.push(`${node.id}.${f.name}`);
        for (const f of fields) need(input, fieldsRead(f.expr));
        rewritten.set(node.id, { ...node, fields });
        break;
      }
      case 'flatMap': {
        const emit = node.emit.map((e) => ({ ...e, fields: e.fields.filter((f) => r.has(f.name)) }));
        for (const f of node.emit[0]?.fields ?? []) if (!r.has(f.name)) dropped.push(`${node.id}.${f.name}`);
        for (const e of emit) {
          if (e.when !== undefined) need(input, fieldsRead(e.when));
          for (const f of e.fields) need(input, fieldsRead(f.expr));
        }
        rewritten.set(node.id, { ...node, emit });
        break;
      }
      case 'filter':
        need(input, r);
        need(input, fieldsRead(node.predicate));
        rewritten.set(node.id, node);
        break;
      case 'reduce': {
        // A reduce always yields one row; keep one aggregate so the row still exists.
        const kept = keepAggs(node, r);
        const aggregates = kept.length > 0 ? kept : node.aggregates.slice(0, 1);
        need(input, aggReads(aggregates));
        rewritten.set(node.id, { ...node, aggregates });
        break;
      }
      case 'groupBy':
      case 'window': {
        const aggregates = keepAggs(node, r);
        need(input, node.keys);
        if (node.kind === 'window') need(input, [node.timeField]);
        need(input, aggReads(aggregates));
        rewritten.set(node.id, { ...node, aggregates });
        break;
      }
      case 'sort':
        need(input, r);
        need(
          input,
          node.by.map((b) => b.field),
        );
        rewritten.set(node.id, node);
        break;
      case 'limit':
        need(input, r);
        rewritten.set(node.id, node);
        break;
      case 'merge':
        for (const i of node.inputs) need(i, r);
        rewritten.set(node.id, node);
        break;
      case 'records':
      case 'columns': {
        // A column source with no columns would have no length; keep one so the row count survives.
        const keep = node.kind === 'columns' && r.size === 0 ? new Set(Object.keys(node.schema).slice(0, 1)) : r;
        const schema = Object.fromEntries(Object.entries(node.schema).filter(([f]) => keep.has(f)));
        for (const f of Object.keys(node.schema)) if (!keep.has(f)) dropped.push(`${node.id}.${f}`);
        rewritten.set(node.id, { ...node, schema });
        break;
      }
    }
  }
  const nodes = reschema(plan.nodes.map((n) => rewritten.get(n.id) as PlanNode));
  return withPass(plan, nodes, 'project-fields', dropped.length === 0 ? 'every field is read' : `dropped unread fields ${dropped.join(', ')}`);
}
