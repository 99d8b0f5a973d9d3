/**
 * Which partitions a range-partitioned history table should have, as plain arithmetic so it is
 * unit-tested without a database. Partitions are `span` wide, aligned to the epoch (UTC), and
 * named `<table>_p<yyyymmdd>` after their first day, so the name alone gives the bounds.
 */
export interface PartitionedTable {
  table: string;
  /** Width of one partition, a whole number of days. */
  spanMs: number;
  /** Rows older than this are dropped, a whole partition at a time. */
  retentionMs: number;
}

export const DAY_MS = 86_400_000;
/** How far ahead partitions exist, so a sample just after midnight never lacks one. */
export const AHEAD_MS = 2 * DAY_MS;

export interface PartitionRange {
  name: string;
  from: Date;
  to: Date;
}

const stamp = (d: Date) => d.toISOString().slice(0, 10).replaceAll('-', '');

export function partitionAt(t: PartitionedTable, startMs: number): PartitionRange {
  return { name: `${t.table}_p${stamp(new Date(startMs))}`, from: new Date(startMs), to: new Date(startMs + t.spanMs) };
}

const alignDown = (ms: number, span: number) => Math.floor(ms / span) * span;

/** Every partition from the one holding `now - retention` to the one holding `now + AHEAD_MS`. */
export function wantedPartitions(t: PartitionedTable, nowMs: number): PartitionRange[] {
  const out: PartitionRange[] = [];
  for (let start = alignDown(nowMs - t.retentionMs, t.spanMs); start <= nowMs + AHEAD_MS; start += t.spanMs) out.push(partitionAt(t, start));
  return out;
}

/** Parses a name this plan gave; undefined for any other table (never dropped). */
export function parsePartitionName(t: PartitionedTable, name: string): PartitionRange | undefined {
  const m = new RegExp(`^${t.table}_p(\\d{4})(\\d{2})(\\d{2})$`).exec(name);
  if (!m) return undefined;
  const start = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return partitionAt(t, start);
}

/** A partition is dropped once every row it can hold is older than the retention. */
export const isExpired = (t: PartitionedTable, p: PartitionRange, nowMs: number) => p.to.getTime() <= nowMs - t.retentionMs;

/** The oldest instant a row may have: an older one is past retention (its partition may be gone). */
export const oldestAccepted = (t: PartitionedTable, nowMs: number) => nowMs - t.retentionMs;

/** The newest instant a row may have: later than that, no partition exists for it yet. */
export const newestAccepted = (nowMs: number) => nowMs + AHEAD_MS;
