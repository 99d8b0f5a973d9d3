import type { Expr } from '../expressions/ast.js';
import type { Plan, PlanNode } from '../program/plan.js';
import { withPass } from './reschema.js';

/**
 * Common sub-plan elimination: two tiles doing the same thing to the same
 * input become one, so shared prefixes of branches are computed once. Works
 * front to back, so whole identical sub-plans collapse tile by tile.
 * Sinks stay distinct (each is an output), and run-time-bound sources stay
 * distinct (each is bound to different data).
 */
export function mergeIdenticalSubplans(plan: Plan): Plan {
  const replacement = new Map<string, string>();
  const bySignature = new Map<string, string>();
  const kept: PlanNode[] = [];
  const merged: string[] = [];
  for (const node of plan.nodes) {
    const inputs = node.inputs.map((i) => replacement.get(i) ?? i);
    const rewritten = { ...node, inputs } as PlanNode;
    const sig = signature(rewritten);
    const existing = sig === undefined ? undefined : bySignature.get(sig);
    if (existing !== undefined) {
      replacement.set(node.id, existing);
      merged.push(`${node.id}→${existing}`);
      continue;
    }
    if (sig !== undefined) bySignature.set(sig, node.id);
    kept.push(rewritten);
  }
  return withPass(plan, kept, 'merge-identical', merged.length === 0 ? 'no identical sub-plans' : `merged ${merged.join(', ')}`);
}

function signature(node: PlanNode): string | undefined {
  if (node.kind === 'sink') return undefined;
  if (node.kind === 'records' && node.rows === undefined) return undefined;
  if (node.kind === 'columns' && node.data === undefined) return undefined;
  // Typed ASTs, not source text: `x*2` and `x * 2` are the same computation.
  // The schema follows from kind, parameters and inputs, so it is left out.
  const head = `${node.kind}(${node.inputs.join(',')})`;
  switch (node.kind) {
    case 'map':
      return `${head}${node.fields.map((f) => `${f.name}=${exprKey(f.expr)}`).join(';')}`;
    case 'filter':
      return `${head}${exprKey(node.predicate)}`;
    default: {
      const { id: _id, schema: _schema, ...rest } = node;
      return JSON.stringify(rest, (key, value: unknown) => (key === 'text' || key === 'whenText' ? undefined : value));
    }
  }
}

function exprKey(e: Expr): string {
  switch (e.k) {
    case 'lit':
      return JSON.stringify(e.value);
    case 'field':
      return `$${e.name}`;
    case 'unary':
      return `(${e.op}${exprKey(e.arg)})`;
    case 'binary':
      return `(${exprKey(e.left)}${e.op}${exprKey(e.right)})`;
    case 'cond':
      return `(${exprKey(e.test)}?${exprKey(e.then)}:${exprKey(e.else)})`;
    case 'call':
      return `${e.fn}(${e.args.map(exprKey).join(',')})`;
  }
}
