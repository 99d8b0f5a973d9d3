import type { Expr } from '../expressions/ast.js';
import type { FieldType, Row, Schema } from './types.js';

/**
 * The typed plan: a program after validation, with expressions parsed and
 * every tile's output schema resolved. Passes rewrite plans; codegen reads them.
 */
export type TypedAggregate =
  | { readonly op: 'count' }
  | { readonly op: 'sum' | 'min' | 'max' | 'mean'; readonly expr: Expr; readonly text: string }
  | {
      readonly op: 'custom';
      readonly init: Expr;
      readonly step: Expr;
      readonly combine: Expr | undefined;
      readonly text: string;
    };

export interface NamedExpr {
  readonly name: string;
  readonly expr: Expr;
  readonly text: string;
}

export interface NamedAggregate {
  readonly name: string;
  readonly agg: TypedAggregate;
}

interface Base {
  readonly id: string;
  readonly inputs: readonly string[];
  readonly schema: Schema;
}

export type PlanNode =
  | (Base & { readonly kind: 'records'; readonly rows: readonly Row[] | undefined })
  | (Base & { readonly kind: 'columns'; readonly data: Readonly<Record<string, readonly number[]>> | undefined })
  | (Base & { readonly kind: 'map'; readonly fields: readonly NamedExpr[] })
  | (Base & { readonly kind: 'filter'; readonly predicate: Expr; readonly text: string })
  | (Base & {
      readonly kind: 'flatMap';
      readonly emit: readonly { readonly when: Expr | undefined; readonly whenText: string | undefined; readonly fields: readonly NamedExpr[] }[];
    })
  | (Base & { readonly kind: 'reduce'; readonly aggregates: readonly NamedAggregate[] })
  | (Base & { readonly kind: 'groupBy'; readonly keys: readonly string[]; readonly aggregates: readonly NamedAggregate[] })
  | (Base & {
      readonly kind: 'window';
      readonly timeField: string;
      readonly size: number;
      readonly slide: number;
      readonly keys: readonly string[];
      readonly aggregates: readonly NamedAggregate[];
    })
  | (Base & { readonly kind: 'sort'; readonly by: readonly { readonly field: string; readonly order: 'asc' | 'desc' }[] })
  | (Base & { readonly kind: 'limit'; readonly count: number })
  | (Base & { readonly kind: 'merge' })
  | (Base & { readonly kind: 'sink' });

export type PlanKind = PlanNode['kind'];
export type NodeOf<K extends PlanKind> = Extract<PlanNode, { kind: K }>;

/** What a pass did, for explain(). */
export interface PassRecord {
  readonly pass: string;
  readonly summary: string;
}

export interface Plan {
  /** Topological order: every node's inputs come before it. */
  readonly nodes: readonly PlanNode[];
  readonly applied: readonly PassRecord[];
}

export function nodeMap(plan: Plan): Map<string, PlanNode> {
  return new Map(plan.nodes.map((n) => [n.id, n]));
}

export function consumers(plan: Plan): Map<string, string[]> {
  const out = new Map<string, string[]>(plan.nodes.map((n) => [n.id, []]));
  for (const n of plan.nodes) for (const i of n.inputs) out.get(i)?.push(n.id);
  return out;
}

export function sinks(plan: Plan): PlanNode[] {
  return plan.nodes.filter((n) => n.kind === 'sink');
}

/** Compact one-line-per-tile rendering; tests use it to show plans before and after a pass. */
export function describePlan(plan: Plan): string {
  return plan.nodes
    .map((n) => {
      const fields = Object.entries(n.schema)
        .map(([f, t]) => `${f}:${t[0] as string}`)
        .join(',');
      return `${n.id}=${n.kind}(${n.inputs.join(',')})${detail(n)} -> {${fields}}`;
    })
    .join('\n');
}

function detail(n: PlanNode): string {
  switch (n.kind) {
    case 'map':
      return ` [${n.fields.map((f) => `${f.name}=${f.text}`).join('; ')}]`;
    case 'filter':
      return ` [${n.text}]`;
    case 'reduce':
    case 'groupBy':
    case 'window':
      return ` [${n.aggregates.map((a) => `${a.name}=${a.agg.op}`).join('; ')}]`;
    case 'limit':
      return ` [${n.count}]`;
    default:
      return '';
  }
}

export const AGGREGATE_TYPE: FieldType = 'number';
