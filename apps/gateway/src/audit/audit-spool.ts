import { appendFile, mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import type { NewAuditRow } from './audit.repository.js';

/** An audit row as it waits on disk: a complete insert, id and time included, so a retry is idempotent. */
export type SpooledRow = NewAuditRow & { id: string; at: Date };

const spooledRow = z.object({
  id: z.uuid(),
  at: z.coerce.date(),
  action: z.string(),
  outcome: z.enum(['success', 'denied', 'failed']),
  actor: z.string().nullable(),
  actorType: z.enum(['user', 'api_key']).nullable(),
  ip: z.string().nullable(),
  target: z.string().nullable(),
  traceId: z.string().nullable(),
  // Rows spooled before the column existed have none.
  commandId: z.string().nullable().optional(),
  details: z.record(z.string(), z.unknown()),
});

// `seg-<pid>-<run>-<n>.ndjson`: written by one process only; `claim-<pid>-<uuid>.ndjson`: being
// replayed by that process. The pid lets several gateways share one directory.
const FILE = /^(seg|claim)-(\d+)-[\w-]+\.ndjson$/;

export interface DrainResult {
  written: number;
  /** Lines that were not a row (a line cut short when the process died mid-write). */
  unreadable: number;
}

/**
 * The local buffer behind the audit log: a row whose insert failed is appended
 * here and replayed later, so an outage of the database delays audit rows but
 * does not lose them, and rows survive a restart of the gateway.
 *
 * Files, not memory: NDJSON segments in one directory. A process appends to
 * its own current segment; a drain seals it (the next row starts a new one),
 * claims each sealed segment by an atomic rename (so two gateways sharing the
 * directory never replay one file twice), inserts its rows in batches and
 * deletes the file once all are in. A segment of another live process is left
 * alone; one of a dead process (an earlier run, a crash) is taken over.
 */
export class AuditSpool {
  private readonly run = randomUUID().slice(0, 8);
  private segment = 0;
  private pending = 0;
  /** Appends and drains run one at a time, in order. */
  private chain: Promise<unknown> = Promise.resolve();
  private ready?: Promise<unknown>;

  constructor(
    private readonly dir: string,
    private readonly isAlive: (pid: number) => boolean = processIsAlive,
  ) {}

  /** Rows appended by this process and not yet replayed. */
  get pendingRows(): number {
    return this.pending;
  }

  append(row: SpooledRow): Promise<void> {
    return this.appendMany([row]);
  }

  /** Several rows in one write (a failed batch insert). */
  appendMany(rows: SpooledRow[]): Promise<void> {
    return this.serial(async () => {
      await this.mkdir();
      await appendFile(this.currentPath(), rows.map((r) => `${JSON.stringify(r)}\n`).join(''), { mode: 0o600 });
      this.pending += rows.length;
    });
  }

  /**
   * Replays every claimable segment through `insert` (which must skip rows already present, by
   * id). Stops at the first failing insert, leaving the rest on disk for the next drain.
   */
  drain(insert: (rows: SpooledRow[]) => Promise<void>, batch = 500): Promise<DrainResult> {
    return this.serial(async () => {
      const result: DrainResult = { written: 0, unreadable: 0 };
      await this.mkdir();
      // Seal the current segment: rows appended after this drain go to the next one.
      this.segment++;
      for (const name of (await readdir(this.dir)).sort()) {
        const path = await this.claim(name);
        if (!path) continue;
        const { rows, unreadable } = parse(await readFile(path, 'utf8'));
        result.unreadable += unreadable;
        for (let i = 0; i < rows.length; i += batch) {
          const part = rows.slice(i, i + batch);
          await insert(part);
          result.written += part.length;
          this.pending = Math.max(0, this.pending - part.length);
        }
        await rm(path);
      }
      return result;
    });
  }

  /** The path to replay `name` from, renamed so no other process replays it too; null when it is not ours to take. */
  private async claim(name: string): Promise<string | null> {
    const m = FILE.exec(name);
    if (!m) return null;
    const [, kind, pidText] = m;
    const pid = Number(pidText);
    const mine = pid === process.pid;
    // A live process's files are its own business. Ours are all sealed: appends wait for the drain.
    if (!mine && this.isAlive(pid)) return null;
    if (kind === 'claim' && mine) return join(this.dir, name);
    const claimed = join(this.dir, `claim-${process.pid}-${randomUUID()}.ndjson`);
    try {
      await rename(join(this.dir, name), claimed);
      return claimed;
    } catch (err) {
      // Another process claimed it first.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  private currentName(): string {
    return `seg-${process.pid}-${this.run}-${String(this.segment).padStart(6, '0')}.ndjson`;
  }

  private currentPath(): string {
    return join(this.dir, this.currentName());
  }

  private mkdir(): Promise<unknown> {
    this.ready ??= mkdir(this.dir, { recursive: true, mode: 0o700 });
    return this.ready;
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const next = this.chain.then(task, task);
    this.chain = next.catch(() => undefined);
    return next;
  }
}

function parse(text: string): { rows: SpooledRow[]; unreadable: number } {
  const rows: SpooledRow[] = [];
  let unreadable = 0;
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      rows.push(spooledRow.parse(JSON.parse(line)) as SpooledRow);
    } catch {
      unreadable++;
    }
  }
  return { rows, unreadable };
}

/** Signal 0 checks existence; EPERM means it exists under another user. */
function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
