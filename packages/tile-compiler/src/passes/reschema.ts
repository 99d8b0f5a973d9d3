import type { NamedAggregate, Plan, PlanNode } from '../program/plan.js';
import type { FieldType, Schema } from '../program/types.js';

/**
 * Recomputes output schemas front to back after a pass changed which fields
 * tiles produce. Expression types do not change, so this cannot fail.
 */
export function reschema(nodes: readonly PlanNode[]): PlanNode[] {
  const schemas = new Map<string, Schema>();
  return nodes.map((n) => {
    const input = schemas.get(n.inputs[0] ?? '') ?? {};
    const aggs = (a: readonly NamedAggregate[]): Schema => Object.fromEntries(a.map((x) => [x.name, 'number']));
    const keyTypes = (keys: readonly string[]) => Object.fromEntries(keys.map((k) => [k, input[k] as FieldType]));
    let schema: Schema;
    switch (n.kind) {
      case 'records':
      case 'columns':
        schema = n.schema;
        break;
      case 'map':
        schema = Object.fromEntries(n.fields.map((f) => [f.name, f.expr.type]));
        break;
      case 'flatMap':
        schema = Object.fromEntries((n.emit[0]?.fields ?? []).map((f) => [f.name, f.expr.type]));
        break;
      case 'reduce':
        schema = aggs(n.aggregates);
        break;
      case 'groupBy':
        schema = { ...keyTypes(n.keys), ...aggs(n.aggregates) };
        break;
      case 'window':
        schema = { windowStart: 'number', windowEnd: 'number', ...keyTypes(n.keys), ...aggs(n.aggregates) };
        break;
      default:
        schema = input;
    }
    schemas.set(n.id, schema);
    return { ...n, schema };
  });
}

export function withPass(plan: Plan, nodes: readonly PlanNode[], pass: string, summary: string): Plan {
  return { nodes, applied: [...plan.applied, { pass, summary }] };
}
