import type { AuditSpool, SpooledRow } from './audit-spool.js';

export interface AuditBatchOptions {
  /** Rows per INSERT; a full buffer is flushed at once. */
  maxRows: number;
  /** A row waits at most this long for its batch. */
  flushMs: number;
}

export interface AuditBatchPorts {
  /** One multi-row INSERT that skips ids already present (AuditRepository.insertMany). */
  insertMany(rows: SpooledRow[]): Promise<void>;
  spool: Pick<AuditSpool, 'appendMany' | 'pendingRows'>;
  written(rows: number): void;
  /** The insert failed and the rows went to the spool (`pendingRows` after it). */
  spooled(rows: number, pendingRows: number, err: Error): void;
  /** Neither the database nor the spool took them. */
  lost(rows: number, err: Error): void;
}

/**
 * Audit rows that arrive in bursts (one per finished execution, thousands per command) written
 * as batched multi-row INSERTs instead of one round trip each: flushed when `maxRows` are
 * waiting or `flushMs` after the first one, one flush at a time. A failed INSERT hands its rows
 * to the spool (AuditReplayer writes them once the database is back; each row has its id, so a
 * replay never doubles one), so PostgreSQL being away delays rows but does not lose them, and
 * the buffer never holds more than what arrives during one INSERT.
 */
export class AuditBatchWriter {
  private buffer: SpooledRow[] = [];
  private timer?: NodeJS.Timeout;
  /** The flush under way; flushes run one at a time, in order. */
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly ports: AuditBatchPorts,
    private readonly options: AuditBatchOptions,
  ) {}

  /** Rows waiting for their batch. */
  get waiting(): number {
    return this.buffer.length;
  }

  add(row: SpooledRow): void {
    this.buffer.push(row);
    if (this.buffer.length >= this.options.maxRows) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.options.flushMs);
  }

  /** Writes everything waiting now (in batches of maxRows); resolves when it is in the database or the spool. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const rows = this.buffer;
    this.buffer = [];
    if (rows.length > 0) this.flushing = this.flushing.then(() => this.write(rows));
    return this.flushing;
  }

  private async write(rows: SpooledRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += this.options.maxRows) {
      const batch = rows.slice(i, i + this.options.maxRows);
      try {
        await this.ports.insertMany(batch);
        this.ports.written(batch.length);
      } catch (err) {
        await this.ports.spool.appendMany(batch).then(
          () => this.ports.spooled(batch.length, this.ports.spool.pendingRows, err as Error),
          (spoolErr: Error) => this.ports.lost(batch.length, spoolErr),
        );
      }
    }
  }
}
