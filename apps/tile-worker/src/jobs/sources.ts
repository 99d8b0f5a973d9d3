import type { tilesV1 } from '@fleetplane/contracts/grpc';
import { invalidArgument } from '@fleetplane/service-kit/grpc';
import type { CompiledProgram, Inputs, PlanNode } from '@fleetplane/tile-compiler';
import { sha256 } from '../programs/canonical-hash.js';
import { decodeTelemetry } from '../telemetry-source/telemetry-binding.js';
import type { TelemetryData } from '../telemetry-source/telemetry-reader.js';
import type { StoredSource } from './job-record.js';

const isSource = (n: PlanNode) => n.kind === 'records' || n.kind === 'columns';

/**
 * Checks a submit's source bindings against the program before anything is
 * stored: each names a source tile of the program, once, with data of the
 * tile's kind and schema; every run-time-bound source the optimised plan
 * still reads is bound. Errors name the binding, the tile and the field.
 */
export function decodeSources(bindings: readonly tilesV1.SourceBinding[], compiled: CompiledProgram, nowMs: number): StoredSource[] {
  const tiles = new Map(compiled.original.nodes.filter(isSource).map((n) => [n.id, n]));
  const seen = new Set<string>();
  const sources = bindings.map((b, i): StoredSource => {
    const at = `sources[${i}]`;
    const node = tiles.get(b.tileId);
    if (!node) throw invalidArgument(`${at}.tile_id`, `no records or columns tile "${b.tileId}" in the program`);
    if (seen.has(b.tileId)) throw invalidArgument(`${at}.tile_id`, `tile "${b.tileId}" is bound twice`);
    seen.add(b.tileId);
    if (b.telemetry) return { tileId: b.tileId, telemetry: decodeTelemetry(b.telemetry, node, nowMs, `${at}.telemetry`) };
    if (node.kind === 'records') {
      if (!b.rows) throw invalidArgument(`${at}.rows`, `tile "${b.tileId}" is a records tile: bind rows`);
      return { tileId: b.tileId, rows: parseRows(b.rows.rowsJson, node, `${at}.rows.rows_json`) };
    }
    if (!b.columns) throw invalidArgument(`${at}.columns`, `tile "${b.tileId}" is a columns tile: bind columns`);
    return { tileId: b.tileId, columns: checkColumns(b.columns, node, `${at}.columns`) };
  });
  for (const n of compiled.plan.nodes) {
    const inline = n.kind === 'records' ? n.rows !== undefined : n.kind === 'columns' ? n.data !== undefined : true;
    if (!inline && !seen.has(n.id)) throw invalidArgument('sources', `source tile "${n.id}" has no inline data and no binding`);
  }
  return sources;
}

function parseRows(json: string, node: PlanNode, field: string): NonNullable<StoredSource['rows']> {
  let rows: unknown;
  try {
    rows = JSON.parse(json);
  } catch {
    throw invalidArgument(field, 'is not JSON');
  }
  if (!Array.isArray(rows)) throw invalidArgument(field, 'must be a JSON array of row objects');
  for (const [f, type] of Object.entries(node.schema)) {
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r] as Record<string, unknown> | null;
      if (row === null || typeof row !== 'object' || typeof row[f] !== type)
        throw invalidArgument(field, `tile "${node.id}", field "${f}": row ${r}: expected ${type}`);
    }
  }
  return rows as NonNullable<StoredSource['rows']>;
}

function checkColumns(bound: tilesV1.InlineColumns, node: PlanNode, field: string): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  let length = -1;
  for (const f of Object.keys(node.schema)) {
    const values = bound.columns[f]?.values;
    if (!values) throw invalidArgument(`${field}.${f}`, `tile "${node.id}", field "${f}": column missing`);
    if (length !== -1 && values.length !== length)
      throw invalidArgument(`${field}.${f}`, `tile "${node.id}", field "${f}": length ${values.length} differs from ${length}`);
    length = values.length;
    out[f] = values;
  }
  return out;
}

/** Rows of an inline binding; a telemetry source's are known only once it is read (0 here). */
export const sourceRowCount = (s: StoredSource) => s.rows?.length ?? Object.values(s.columns ?? {})[0]?.length ?? 0;

/** Rows per bound inline source, for the limits and the compiler's estimates. */
export const sourceRows = (sources: readonly StoredSource[]) => Object.fromEntries(sources.map((s) => [s.tileId, sourceRowCount(s)]));

/** Rows held inline in the program itself. */
export function inlineRows(compiled: CompiledProgram): number {
  return compiled.original.nodes.reduce(
    (n, t) => n + (t.kind === 'records' ? (t.rows?.length ?? 0) : t.kind === 'columns' ? (Object.values(t.data ?? {})[0]?.length ?? 0) : 0),
    0,
  );
}

/**
 * The data's half of the result cache key: a hash of every binding, in tile order. A telemetry
 * binding contributes its query here and, once read, what it saw (`read`, by tile id: the
 * newest sample time and a digest of the points), so the key is known only after reading it.
 */
export function sourceFingerprint(sources: readonly StoredSource[], read: ReadonlyMap<string, Pick<TelemetryData, 'digest'>> = new Map()): string {
  const parts = [...sources]
    .sort((a, b) => (a.tileId < b.tileId ? -1 : 1))
    .map((s) => {
      if (s.telemetry) {
        // The query as asked (not its resolved instants, which differ on every submit of `-1h`) plus what was read:
        // the same points give the same result, whichever hour they were asked for.
        const { from: _from, to: _to, ...query } = s.telemetry;
        return `${s.tileId}\0telemetry\0${JSON.stringify(query)}\0${read.get(s.tileId)?.digest ?? 'unread'}`;
      }
      if (s.rows) return `${s.tileId}\0rows\0${sha256(JSON.stringify(s.rows))}`;
      const cols = Object.entries(s.columns ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
      return `${s.tileId}\0columns\0${cols.map(([f, v]) => `${f}=${sha256(new Uint8Array(Float64Array.from(v).buffer))}`).join(',')}`;
    });
  return sha256(parts.join('\n'));
}

/**
 * The run's inputs: rows as they are; columns copied once into Float64Arrays
 * on SharedArrayBuffers, so every worker thread reads them without a copy;
 * telemetry sources as read for this run.
 */
export function toInputs(sources: readonly StoredSource[], read: ReadonlyMap<string, TelemetryData> = new Map()): Inputs {
  return Object.fromEntries(
    sources.map((s): [string, Inputs[string]] => {
      const fetched = read.get(s.tileId);
      if (fetched) return [s.tileId, fetched.rows ?? fetched.columns ?? []];
      if (s.rows) return [s.tileId, s.rows];
      const cols = Object.entries(s.columns ?? {}).map(([f, v]) => {
        const shared = new Float64Array(new SharedArrayBuffer(v.length * Float64Array.BYTES_PER_ELEMENT));
        shared.set(v);
        return [f, shared] as const;
      });
      return [s.tileId, Object.fromEntries(cols)];
    }),
  );
}
