import { parseExpression } from '../expressions/parse.js';
import { TileProgramError } from './errors.js';
import type { NamedAggregate, NamedExpr, Plan, PlanNode } from './plan.js';
import { tileInputs, type Aggregate, type FieldType, type Program, type Schema, type Tile } from './types.js';

/**
 * Turns a validated program into a typed plan: orders tiles topologically,
 * rejects dangling inputs and cycles, parses every expression against its
 * input schema and derives each tile's output schema.
 */
export function resolveProgram(program: Program): Plan {
  const byId = new Map(program.tiles.map((t) => [t.id, t]));
  for (const t of program.tiles) {
    for (const input of tileInputs(t)) {
      const source = byId.get(input);
      if (source === undefined) throw new TileProgramError(t.id, 'input', `unknown input tile "${input}"`);
      if (source.kind === 'sink') throw new TileProgramError(t.id, 'input', `"${input}" is a sink and produces no stream`);
    }
  }
  if (!program.tiles.some((t) => t.kind === 'sink')) throw new TileProgramError(undefined, 'tiles', 'program has no sink, so it computes nothing');

  const nodes: PlanNode[] = [];
  const schemas = new Map<string, Schema>();
  for (const tile of topologicalOrder(program.tiles)) {
    const inputSchemas = tileInputs(tile).map((i) => schemas.get(i) as Schema);
    const node = resolveTile(tile, inputSchemas);
    schemas.set(node.id, node.schema);
    nodes.push(node);
  }
  return { nodes, applied: [] };
}

function topologicalOrder(tiles: readonly Tile[]): Tile[] {
  // Kahn's algorithm in input order, so equal programs always resolve to equal plans.
  const pending = new Map(tiles.map((t) => [t.id, new Set(tileInputs(t)).size]));
  const consumers = new Map<string, string[]>();
  for (const t of tiles) for (const i of new Set(tileInputs(t))) consumers.set(i, [...(consumers.get(i) ?? []), t.id]);
  const byId = new Map(tiles.map((t) => [t.id, t]));
  const ready = tiles.filter((t) => pending.get(t.id) === 0).map((t) => t.id);
  const order: Tile[] = [];
  while (ready.length > 0) {
    const id = ready.shift() as string;
    order.push(byId.get(id) as Tile);
    for (const c of consumers.get(id) ?? []) {
      const left = (pending.get(c) as number) - 1;
      pending.set(c, left);
      if (left === 0) ready.push(c);
    }
  }
  if (order.length !== tiles.length) {
    const stuck = tiles.find((t) => (pending.get(t.id) as number) > 0);
    throw new TileProgramError(stuck?.id, 'input', 'tile is part of a cycle');
  }
  return order;
}

function requireField(tileId: string, schema: Schema, field: string, type?: FieldType): FieldType {
  const actual = schema[field];
  if (actual === undefined) {
    throw new TileProgramError(tileId, field, `field is not in the input schema {${Object.keys(schema).join(', ')}}`);
  }
  if (type !== undefined && actual !== type) throw new TileProgramError(tileId, field, `must be ${type}, input has ${actual}`);
  return actual;
}

function exprs(tileId: string, fields: Readonly<Record<string, string>>, scope: Schema): NamedExpr[] {
  return Object.entries(fields).map(([name, text]) => ({ name, text, expr: parseExpression(text, scope, { tileId, field: name }) }));
}

function aggregates(tileId: string, specs: Readonly<Record<string, Aggregate>>, scope: Schema): NamedAggregate[] {
  return Object.entries(specs).map(([name, spec]): NamedAggregate => {
    const site = { tileId, field: name };
    const numeric = (text: string, sc: Schema) => {
      const expr = parseExpression(text, sc, site);
      if (expr.type !== 'number') throw new TileProgramError(tileId, name, `aggregate expression ${JSON.stringify(text)} must be number, got ${expr.type}`);
      return expr;
    };
    switch (spec.op) {
      case 'count':
        return { name, agg: { op: 'count' } };
      case 'custom': {
        if (Object.hasOwn(scope, 'acc')) throw new TileProgramError(tileId, 'acc', 'custom aggregates reserve "acc"; rename the input field');
        const init = numeric(spec.init, {});
        const step = numeric(spec.step, { ...scope, acc: 'number' });
        const combine = spec.combine === undefined ? undefined : numeric(spec.combine, { a: 'number', b: 'number' });
        const text = `init ${spec.init}; step ${spec.step}${spec.combine === undefined ? '' : `; combine ${spec.combine}`}`;
        return { name, agg: { op: 'custom', init, step, combine, text } };
      }
      default:
        return { name, agg: { op: spec.op, expr: numeric(spec.expr, scope), text: spec.expr } };
    }
  });
}

function noClash(tileId: string, names: readonly string[]): void {
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw new TileProgramError(tileId, n, 'output field defined twice');
    seen.add(n);
  }
}

function aggSchema(aggs: readonly NamedAggregate[]): Record<string, FieldType> {
  return Object.fromEntries(aggs.map((a) => [a.name, 'number' as const]));
}

function resolveTile(tile: Tile, inputs: readonly Schema[]): PlanNode {
  const id = tile.id;
  const ids = tileInputs(tile);
  const input = inputs[0] ?? {};
  switch (tile.kind) {
    case 'records':
      return { id, kind: 'records', inputs: [], schema: { ...tile.schema }, rows: tile.rows };
    case 'columns':
      noClash(id, tile.fields);
      return { id, kind: 'columns', inputs: [], schema: Object.fromEntries(tile.fields.map((f) => [f, 'number' as const])), data: tile.data };
    case 'map': {
      const fields = exprs(id, tile.fields, input);
      return { id, kind: 'map', inputs: ids, fields, schema: Object.fromEntries(fields.map((f) => [f.name, f.expr.type])) };
    }
    case 'filter': {
      const predicate = parseExpression(tile.predicate, input, { tileId: id, field: 'predicate' });
      if (predicate.type !== 'boolean') throw new TileProgramError(id, 'predicate', `predicate must be boolean, got ${predicate.type}`);
      return { id, kind: 'filter', inputs: ids, schema: input, predicate, text: tile.predicate };
    }
    case 'flatMap': {
      const emit = tile.emit.map((e) => {
        const when = e.when === undefined ? undefined : parseExpression(e.when, input, { tileId: id, field: 'when' });
        if (when !== undefined && when.type !== 'boolean') throw new TileProgramError(id, 'when', `must be boolean, got ${when.type}`);
        return { when, whenText: e.when, fields: exprs(id, e.fields, input) };
      });
      const schema = Object.fromEntries((emit[0]?.fields ?? []).map((f) => [f.name, f.expr.type]));
      for (const e of emit) {
        const s = Object.fromEntries(e.fields.map((f) => [f.name, f.expr.type]));
        for (const [f, ty] of Object.entries({ ...schema, ...s })) {
          if (schema[f] !== ty || s[f] !== ty) throw new TileProgramError(id, f, 'every emit entry must produce the same fields with the same types');
        }
      }
      return { id, kind: 'flatMap', inputs: ids, emit, schema };
    }
    case 'reduce': {
      const aggs = aggregates(id, tile.aggregates, input);
      return { id, kind: 'reduce', inputs: ids, aggregates: aggs, schema: aggSchema(aggs) };
    }
    case 'groupBy': {
      const keyTypes = tile.keys.map((k) => [k, requireField(id, input, k)] as const);
      const aggs = aggregates(id, tile.aggregates, input);
      noClash(id, [...tile.keys, ...aggs.map((a) => a.name)]);
      return { id, kind: 'groupBy', inputs: ids, keys: [...tile.keys], aggregates: aggs, schema: { ...Object.fromEntries(keyTypes), ...aggSchema(aggs) } };
    }
    case 'window': {
      requireField(id, input, tile.timeField, 'number');
      const keys = [...(tile.keys ?? [])];
      const keyTypes = keys.map((k) => [k, requireField(id, input, k)] as const);
      const aggs = aggregates(id, tile.aggregates, input);
      noClash(id, ['windowStart', 'windowEnd', ...keys, ...aggs.map((a) => a.name)]);
      return {
        id,
        kind: 'window',
        inputs: ids,
        timeField: tile.timeField,
        size: tile.size,
        slide: tile.slide ?? tile.size,
        keys,
        aggregates: aggs,
        schema: { windowStart: 'number', windowEnd: 'number', ...Object.fromEntries(keyTypes), ...aggSchema(aggs) },
      };
    }
    case 'sort':
      for (const b of tile.by) requireField(id, input, b.field);
      return { id, kind: 'sort', inputs: ids, schema: input, by: tile.by.map((b) => ({ field: b.field, order: b.order ?? 'asc' })) };
    case 'limit':
      return { id, kind: 'limit', inputs: ids, schema: input, count: tile.count };
    case 'merge': {
      inputs.forEach((s, i) => {
        for (const [f, ty] of Object.entries({ ...input, ...s })) {
          if (input[f] !== ty || s[f] !== ty) {
            throw new TileProgramError(
              id,
              f,
              `merged inputs disagree: "${ids[0] ?? ''}" has ${input[f] ?? 'no such field'}, "${ids[i] ?? ''}" has ${s[f] ?? 'no such field'}`,
            );
          }
        }
      });
      return { id, kind: 'merge', inputs: ids, schema: input };
    }
    case 'sink':
      return { id, kind: 'sink', inputs: ids, schema: input };
  }
}
