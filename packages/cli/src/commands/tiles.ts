import { readFile } from 'node:fs/promises';
import type { DocBody } from '../api/document.js';
import type { Context } from '../context.js';
import { CliError, EXIT_CLI, EXIT_OK, UsageError } from '../errors.js';
import { renderFields, renderTable } from '../output/table.js';
import type { TileExplanation, TileJob, TileJobResult, TileStats } from './tiles-schemas.js';

/** Options as commander parses them for `tiles run`. */
export interface TilesRunOptions {
  source?: string[];
  /** Range and resolution of every telemetry source that does not set its own. */
  from?: string;
  to?: string;
  resolution?: string;
  timeout?: number;
  /** commander's --no-wait sets wait=false. */
  wait?: boolean;
  limit?: number;
}

export interface TilesGetOptions {
  limit?: number;
  cursor?: string;
}

export interface TilesExplainOptions {
  rows?: string[];
}

/** Past the job's own timeout, how long the queue gets before `run` stops waiting. */
const WAIT_MARGIN_MS = 30_000;
const POLL_MS = 250;
const FINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'TIMED_OUT']);

/** `--source tile=file`, repeatable. */
export const collectSource = (value: string, previous: string[] = []) => [...previous, value];

async function readJson(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`${what} ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`${what} ${path}: not JSON`);
  }
}

async function readProgram(path: string): Promise<Record<string, unknown>> {
  const program = await readJson(path, 'program');
  if (program === null || typeof program !== 'object' || Array.isArray(program))
    throw new UsageError(`program ${path}: must be a JSON object (version and tiles)`);
  return program as Record<string, unknown>;
}

type SourceBody = DocBody<'submitTileJob'>['sources'] extends (infer S)[] | undefined ? S : never;
type TelemetryBody = NonNullable<SourceBody['telemetry']>;
const RESOLUTIONS = ['auto', 'raw', '1m', '1h'] as const;

function resolutionOf(value: string, where: string): TelemetryBody['resolution'] {
  if (!(RESOLUTIONS as readonly string[]).includes(value)) throw new UsageError(`${where}: resolution must be one of ${RESOLUTIONS.join(', ')}`);
  return value as TelemetryBody['resolution'];
}

/**
 * `telemetry:cpu[,disk…][,site=eu][,agent=<id>…][,label.<k>=<v>…][,all][,from=-1h][,to=…][,resolution=raw]`:
 * metrics by name, then the agents (every agent when none is named) and, optionally, the range
 * and resolution of this source; --from/--to/--resolution give the rest. The service checks
 * the values (and answers naming the field).
 */
export function parseTelemetrySource(spec: string, opts: Pick<TilesRunOptions, 'from' | 'to' | 'resolution'>, where: string): TelemetryBody {
  const agents = { agentIds: [] as string[], site: '', labels: {} as Record<string, string>, all: false };
  const metrics: string[] = [];
  let from = opts.from ?? '';
  let to = opts.to ?? '';
  let resolution = opts.resolution ? resolutionOf(opts.resolution, '--resolution') : ('auto' as const);
  for (const part of spec.split(',').filter((p) => p !== '')) {
    const eq = part.indexOf('=');
    const [key, value] = eq < 0 ? [part, ''] : [part.slice(0, eq), part.slice(eq + 1)];
    if (eq < 0 && key === 'all') agents.all = true;
    else if (eq < 0) metrics.push(key);
    else if (key === 'site') agents.site = value;
    else if (key === 'agent') agents.agentIds.push(value);
    else if (key.startsWith('label.') && key.length > 6) agents.labels[key.slice(6)] = value;
    else if (key === 'from') from = value;
    else if (key === 'to') to = value;
    else if (key === 'resolution') resolution = resolutionOf(value, where);
    else throw new UsageError(`${where}: unknown key ${key} (site, agent, label.<name>, all, from, to, resolution)`);
  }
  if (metrics.length === 0) throw new UsageError(`${where}: name at least one metric (telemetry:cpu, telemetry:disk,site=eu)`);
  if (!agents.site && agents.agentIds.length === 0 && Object.keys(agents.labels).length === 0) agents.all = true;
  return { agents, metrics, from, to, resolution };
}

/**
 * `tile=file.json`: a JSON array binds rows (a records tile), an object of number arrays binds
 * columns; `tile=telemetry:…` binds a telemetry query (parseTelemetrySource).
 */
async function readSource(spec: string, opts: TilesRunOptions): Promise<SourceBody> {
  const eq = spec.indexOf('=');
  if (eq < 1 || eq === spec.length - 1) throw new UsageError(`--source ${spec}: expected <tile>=<file.json> or <tile>=telemetry:<metric>,…`);
  const tileId = spec.slice(0, eq);
  const value = spec.slice(eq + 1);
  if (value.startsWith('telemetry:')) return { tileId, telemetry: parseTelemetrySource(value.slice('telemetry:'.length), opts, `--source ${tileId}`) };
  const data = await readJson(value, `--source ${tileId}`);
  if (Array.isArray(data)) return { tileId, rows: data as Record<string, string | number | boolean>[] };
  if (data !== null && typeof data === 'object') return { tileId, columns: data as Record<string, number[]> };
  throw new UsageError(`--source ${tileId}: the file must hold a JSON array of rows or an object of columns`);
}

function parseSourceRows(values: string[] = []): Record<string, number> {
  return Object.fromEntries(
    values.map((v) => {
      const m = /^([^=]+)=(\d+)$/.exec(v);
      if (!m) throw new UsageError(`--rows ${v}: expected <tile>=<count>`);
      return [m[1] as string, Number(m[2])];
    }),
  );
}

const ms = (n: number) => `${n.toFixed(1)} ms`;

/** The job's state and stats as aligned fields. */
export function formatTileJob(job: TileJob): string {
  const s = job.stats;
  return renderFields([
    ['id', job.id],
    ['state', job.state],
    ['error', job.error],
    ['rows in / out', `${s.rowsIn} / ${s.rowsOut}`],
    ['partitions', `${s.partitions} on ${s.workers} worker(s), ${s.partitionRetries} retried`],
    ['cache', s.cache],
    ['compile / run', `${ms(s.compileMs)} / ${ms(s.runMs)}`],
    ['created', job.createdAt],
    ['finished', job.finishedAt],
  ]);
}

/** Each sink's rows of this page as a table, and how to fetch the next page. */
export function formatTileResult(r: TileJobResult, width?: number): string {
  const parts = [formatTileJob(r.job)];
  for (const sink of r.results) {
    const headers = [...new Set(sink.rows.flatMap((row) => Object.keys(row)))];
    const shown =
      sink.rows.length === sink.totalRows ? `${sink.totalRows} row(s)` : `rows ${sink.offset + 1}-${sink.offset + sink.rows.length} of ${sink.totalRows}`;
    const cells = sink.rows.map((row) => headers.map((h) => (row[h] === null || row[h] === undefined ? null : String(row[h]))));
    parts.push(`\n${sink.sinkId} (${shown})\n${headers.length ? renderTable(headers, cells, width) : ''}`);
  }
  if (r.nextCursor) parts.push(`\nmore rows: fleetplane tiles get ${r.job.id} --cursor ${r.nextCursor}\n`);
  return parts.join('');
}

function formatExplanation(e: TileExplanation): string {
  return `${e.plan.endsWith('\n') ? e.plan : `${e.plan}\n`}`;
}

function formatTileStats(s: TileStats): string {
  const tier = (t: TileStats['cache']['memory']) => `${t.hits} hit(s), ${t.misses} miss(es), ${t.evictions} eviction(s)${t.bytes ? `, ${t.bytes} B` : ''}`;
  return renderFields([
    ['workers', `${s.pool.threads} of ${s.pool.maxWorkers} thread(s), ${(s.pool.utilization * 100).toFixed(1)}% utilised`],
    ['partitions', `${s.pool.completedPartitions} done, ${s.pool.queuedPartitions} queued, ${s.pool.partitionRetries} retried`],
    ['cache (memory)', tier(s.cache.memory)],
    ['cache (redis)', tier(s.cache.redis)],
    ['cache hit ratio', `${(s.cache.hitRatio * 100).toFixed(1)}%`],
    ['compiled programs', `${s.compiledPrograms.entries} (${s.compiledPrograms.hits} hit(s), ${s.compiledPrograms.misses} compile(s))`],
    [
      'queue',
      Object.entries(s.queue)
        .map(([k, v]) => `${k} ${v}`)
        .join(', '),
    ],
  ]);
}

/**
 * Submits a tile job and (unless --no-wait) waits for it to finish, printing its first page of
 * results; exits 255 with the job's error unless it COMPLETED.
 */
export async function runTiles(ctx: Context, programPath: string, opts: TilesRunOptions): Promise<number> {
  const program = await readProgram(programPath);
  const sources = await Promise.all((opts.source ?? []).map((spec) => readSource(spec, opts)));
  const api = await ctx.client();
  const job = await api.submitTileJob({ program, sources, ...(opts.timeout ? { timeoutMs: opts.timeout * 1000 } : {}) });
  if (opts.wait === false) {
    await ctx.print(job, () => `${job.id}\n`);
    return EXIT_OK;
  }
  const sleep = ctx.sleep ?? ((n: number) => new Promise<void>((r) => setTimeout(r, n)));
  const until = Date.now() + job.timeoutMs + WAIT_MARGIN_MS;
  const query = opts.limit ? { resultLimit: opts.limit } : {};
  let result = await api.getTileJob(job.id, query);
  while (!FINAL.has(result.job.state)) {
    if (Date.now() > until) throw new CliError(`tile job ${job.id} is still ${result.job.state}; see fleetplane tiles get ${job.id}`);
    await sleep(POLL_MS);
    result = await api.getTileJob(job.id, query);
  }
  await ctx.print(result, (width) => formatTileResult(result, width));
  if (result.job.state === 'COMPLETED') return EXIT_OK;
  ctx.err.write(`fleetplane: tile job ${job.id} ${result.job.state}${result.job.error ? `: ${result.job.error}` : ''}\n`);
  return EXIT_CLI;
}

export async function getTileJob(ctx: Context, id: string, opts: TilesGetOptions): Promise<void> {
  const result = await (
    await ctx.client()
  ).getTileJob(id, { ...(opts.limit ? { resultLimit: opts.limit } : {}), ...(opts.cursor ? { cursor: opts.cursor } : {}) });
  await ctx.print(result, (width) => formatTileResult(result, width));
}

export async function explainTiles(ctx: Context, programPath: string, opts: TilesExplainOptions): Promise<void> {
  const program = await readProgram(programPath);
  const explained = await (await ctx.client()).explainTiles({ program, sourceRows: parseSourceRows(opts.rows) });
  await ctx.print(explained, () => formatExplanation(explained));
}

export async function showTileStats(ctx: Context): Promise<void> {
  const stats = await (await ctx.client()).getTileStats();
  await ctx.print(stats, () => formatTileStats(stats));
}
