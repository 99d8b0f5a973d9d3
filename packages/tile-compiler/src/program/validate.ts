import { fieldNameProblem } from '../expressions/limits.js';
import { TileProgramError } from './errors.js';
import { PROGRAM_VERSION, type Program, type Tile } from './types.js';

/**
 * Structural validation of untrusted program JSON. Hand-written rather than a
 * schema library so each message names the tile id and the offending field.
 * Type checking of expressions happens later, in resolve.
 */
const TILE_ID = /^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,63}$/;
const MAX_TILES = 10_000;
const MAX_INLINE_ROWS = 100_000;

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function validateProgram(input: unknown): Program {
  if (!isObj(input)) throw new TileProgramError(undefined, undefined, 'program must be a JSON object');
  if (input['version'] !== PROGRAM_VERSION) {
    throw new TileProgramError(undefined, 'version', `unsupported version ${JSON.stringify(input['version'])}; expected ${PROGRAM_VERSION}`);
  }
  const tiles = input['tiles'];
  if (!Array.isArray(tiles) || tiles.length === 0) throw new TileProgramError(undefined, 'tiles', 'must be a non-empty array');
  if (tiles.length > MAX_TILES) throw new TileProgramError(undefined, 'tiles', `at most ${MAX_TILES} tiles`);
  const seen = new Set<string>();
  tiles.forEach((t: unknown, index: number) => {
    if (!isObj(t)) throw new TileProgramError(`#${index}`, undefined, 'tile must be an object');
    const id = t['id'];
    if (typeof id !== 'string' || !TILE_ID.test(id)) throw new TileProgramError(`#${index}`, 'id', 'must match [A-Za-z0-9_][A-Za-z0-9_.:-]{0,63}');
    if (seen.has(id)) throw new TileProgramError(id, 'id', 'duplicate tile id');
    seen.add(id);
    validateTile(id, t);
  });
  return { version: PROGRAM_VERSION, tiles: tiles as Tile[] };
}

function validateTile(id: string, t: Obj): void {
  const fail = (field: string, detail: string): never => {
    throw new TileProgramError(id, field, detail);
  };
  const str = (field: string): string => (typeof t[field] === 'string' ? t[field] : fail(field, 'must be a string'));
  const obj = (field: string): Obj => (isObj(t[field]) ? t[field] : fail(field, 'must be an object'));
  const posNumber = (field: string, v: unknown): number =>
    typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : fail(field, 'must be a positive finite number');
  const fieldName = (field: string, name: unknown): string => {
    if (typeof name !== 'string') return fail(field, 'field name must be a string');
    const problem = fieldNameProblem(name);
    return problem === undefined ? name : fail(name, problem);
  };
  const exprMap = (field: string, m: unknown): void => {
    if (!isObj(m) || Object.keys(m).length === 0) fail(field, 'must be a non-empty object of field -> expression');
    for (const [name, expr] of Object.entries(m as Obj)) {
      fieldName(field, name);
      if (typeof expr !== 'string') fail(name, 'expression must be a string');
    }
  };
  const aggregates = (): void => {
    const aggs = obj('aggregates');
    if (Object.keys(aggs).length === 0) fail('aggregates', 'needs at least one aggregate');
    for (const [name, a] of Object.entries(aggs)) {
      fieldName('aggregates', name);
      if (!isObj(a)) return fail(name, 'aggregate must be an object');
      const op = a['op'];
      if (op === 'count') continue;
      if (op === 'sum' || op === 'min' || op === 'max' || op === 'mean') {
        if (typeof a['expr'] !== 'string') fail(name, `${op} needs an expr string`);
      } else if (op === 'custom') {
        for (const k of ['init', 'step'] as const) if (typeof a[k] !== 'string') fail(name, `custom aggregate needs a ${k} expression`);
        if (a['combine'] !== undefined && typeof a['combine'] !== 'string') fail(name, 'combine must be an expression string');
      } else {
        fail(name, `unknown aggregate op ${JSON.stringify(op)}; expected count, sum, min, max, mean or custom`);
      }
    }
  };
  const keys = (field: string, v: unknown): void => {
    if (!Array.isArray(v)) return fail(field, 'must be an array of field names');
    for (const k of v) fieldName(field, k);
  };

  switch (t['kind']) {
    case 'records': {
      const schema = obj('schema');
      for (const [name, type] of Object.entries(schema)) {
        fieldName('schema', name);
        if (type !== 'number' && type !== 'string' && type !== 'boolean') fail(name, 'type must be number, string or boolean');
      }
      if (t['rows'] !== undefined) {
        const rows = t['rows'];
        if (!Array.isArray(rows) || rows.length > MAX_INLINE_ROWS) return fail('rows', `must be an array of at most ${MAX_INLINE_ROWS} rows`);
        rows.forEach((r: unknown, i: number) => {
          if (!isObj(r)) fail('rows', `row ${i} must be an object`);
          for (const [name, type] of Object.entries(schema)) {
            if (typeof (r as Obj)[name] !== type) fail(name, `row ${i}: expected ${String(type)}`);
          }
        });
      }
      return;
    }
    case 'columns': {
      const fields = t['fields'];
      if (!Array.isArray(fields) || fields.length === 0) return fail('fields', 'must be a non-empty array of field names');
      for (const f of fields) fieldName('fields', f);
      if (t['data'] !== undefined) {
        const data = obj('data');
        for (const f of fields as string[]) {
          const col = data[f];
          if (!Array.isArray(col) || col.length > MAX_INLINE_ROWS || col.some((x) => typeof x !== 'number'))
            fail(f, 'inline column must be an array of numbers');
        }
      }
      return;
    }
    case 'map':
      str('input');
      return exprMap('fields', t['fields']);
    case 'filter':
      str('input');
      str('predicate');
      return;
    case 'flatMap': {
      str('input');
      const emit = t['emit'];
      if (!Array.isArray(emit) || emit.length === 0 || emit.length > 16) return fail('emit', 'must be an array of 1..16 entries');
      for (const e of emit) {
        if (!isObj(e)) return fail('emit', 'entries must be objects');
        if (e['when'] !== undefined && typeof e['when'] !== 'string') fail('when', 'must be an expression string');
        exprMap('fields', e['fields']);
      }
      return;
    }
    case 'reduce':
      str('input');
      return aggregates();
    case 'groupBy':
      str('input');
      keys('keys', t['keys']);
      if ((t['keys'] as unknown[]).length === 0) fail('keys', 'needs at least one key');
      return aggregates();
    case 'window': {
      str('input');
      fieldName('timeField', t['timeField']);
      const size = posNumber('size', t['size']);
      const slide = t['slide'] === undefined ? size : posNumber('slide', t['slide']);
      if (slide > size) fail('slide', 'must not exceed size');
      if (size / slide > 1000) fail('slide', 'a row may land in at most 1000 windows (size / slide <= 1000)');
      if (t['keys'] !== undefined) keys('keys', t['keys']);
      return aggregates();
    }
    case 'sort': {
      str('input');
      const by = t['by'];
      if (!Array.isArray(by) || by.length === 0) return fail('by', 'must be a non-empty array');
      for (const b of by) {
        if (!isObj(b)) return fail('by', 'entries must be objects');
        fieldName('by', b['field']);
        if (b['order'] !== undefined && b['order'] !== 'asc' && b['order'] !== 'desc') fail('order', 'must be asc or desc');
      }
      return;
    }
    case 'limit': {
      str('input');
      const c = t['count'];
      if (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c > 1e9) fail('count', 'must be an integer in 0..1e9');
      return;
    }
    case 'merge': {
      const inputs = t['inputs'];
      if (!Array.isArray(inputs) || inputs.length < 2 || inputs.some((i) => typeof i !== 'string')) fail('inputs', 'must be an array of at least two tile ids');
      return;
    }
    case 'sink':
      str('input');
      return;
    default:
      fail('kind', `unknown tile kind ${JSON.stringify(t['kind'])}`);
  }
}
