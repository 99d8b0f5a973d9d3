import type { AuditFilter } from '../api/requests.js';
import type { AuditEntry, AuditExportFormat } from '../api/schemas.js';
import type { Context } from '../context.js';
import { renderTable } from '../output/table.js';

/** The filter options `audit list` and `audit export` share, as commander parses them. */
export interface AuditFilterOptions {
  actor?: string;
  action?: string;
  resourceType?: string;
  target?: string;
  outcome?: AuditFilter['outcome'];
  from?: string;
  to?: string;
  traceId?: string;
  commandId?: string;
}

export interface ListAuditOptions extends AuditFilterOptions {
  limit?: number;
  all?: boolean;
}

export interface ExportAuditOptions extends AuditFilterOptions {
  format: AuditExportFormat;
}

const FILTERS = ['actor', 'action', 'resourceType', 'target', 'outcome', 'from', 'to', 'traceId', 'commandId'] as const;

function filterOf(o: AuditFilterOptions): AuditFilter {
  const filter: AuditFilter = {};
  for (const k of FILTERS) if (o[k] !== undefined) Object.assign(filter, { [k]: o[k] });
  return filter;
}

export async function listAudit(ctx: Context, opts: ListAuditOptions): Promise<void> {
  const entries = await (
    await ctx.client()
  ).listAudit(filterOf(opts), {
    ...(opts.limit ? { limit: opts.limit } : {}),
    ...(opts.all ? { all: true } : {}),
  });
  await ctx.print(entries, (width) => formatAudit(entries, width));
}

/** Streams the export to stdout unchanged (`> file`); nothing else is written there. */
export async function exportAudit(ctx: Context, opts: ExportAuditOptions): Promise<void> {
  await (await ctx.client()).exportAudit(filterOf(opts), opts.format, ctx.out);
}

export function formatAudit(entries: AuditEntry[], width?: number): string {
  if (entries.length === 0) return 'no audit entries\n';
  return renderTable(
    ['AT', 'ACTOR', 'ACTION', 'TARGET', 'OUTCOME', 'IP', 'TRACE'],
    entries.map((e) => [e.at, e.actor && e.actorType === 'api_key' ? `key:${e.actor}` : e.actor, e.action, e.target, e.outcome, e.ip, e.traceId]),
    width,
  );
}
