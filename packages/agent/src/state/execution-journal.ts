import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentResultBody as ResultBody } from '../exec/session-link.js';
import type { GroupIdentity } from '../process/process-group.js';

/**
 * One line of the journal (`<state dir>/executions/journal.ndjson`), appended and
 * fsynced before the agent acts on it:
 * - `accepted`: the agent took the execution (before its process starts);
 * - `started`: its process group is running (who it is, so that the next start can stop it after a crash);
 * - `result`: its final RESULT (kept until the hub acknowledges it);
 * - `acked`: the hub stored the RESULT (RESULT_ACK), or a hub without "result-ack" was sent it.
 */
type JournalRecord =
  | { op: 'accepted'; id: string; at: number }
  | { op: 'started'; id: string; at: number; group: GroupIdentity }
  | { op: 'result'; id: string; at: number; result: ResultBody }
  | { op: 'acked'; id: string; at: number };

export interface JournalEntry {
  acceptedAt: number;
  /** The running process group, until the result is in. */
  group?: GroupIdentity;
  result?: ResultBody;
  ackedAt?: number;
}

export interface JournalOptions {
  /** Acked entries older than this are dropped at the next compaction. */
  retentionMs: number;
  /** Compact once this many records were appended since the last compaction. */
  compactAfterRecords?: number;
  now?: () => number;
}

const JOURNAL = 'journal.ndjson';

/**
 * The agent's durable memory of executions, so that an execution runs at most
 * once even across agent crashes, and a final RESULT survives until the hub has
 * stored it. An append-only journal of fsynced lines; on open it is replayed, a
 * torn last line (a crash mid-append) is cut off, and the live entries are
 * rewritten into a fresh file (tmp → fsync → rename → fsync of the directory).
 * Synchronous on purpose: a record must be on disk before the process starts
 * or the RESULT leaves, and appends are rare (a few per execution).
 */
export class ExecutionJournal {
  private readonly entries = new Map<string, JournalEntry>();
  private fd: number;
  private closed = false;
  private appendedSinceCompaction = 0;
  private readonly now: () => number;

  private constructor(
    private readonly dir: string,
    private readonly opts: JournalOptions,
  ) {
    this.now = opts.now ?? Date.now;
    this.replay();
    this.fd = this.compact();
  }

  /** Opens (or creates) the journal under `<stateDir>/executions`. */
  static open(stateDir: string, opts: JournalOptions): ExecutionJournal {
    const dir = join(stateDir, 'executions');
    const created = !existsSync(dir);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (created) fsyncDir(stateDir);
    return new ExecutionJournal(dir, opts);
  }

  get size(): number {
    return this.entries.size;
  }

  get(id: string): JournalEntry | undefined {
    return this.entries.get(id);
  }

  /** Records an execution as taken; false (and nothing written) when it is already known. */
  accept(id: string): boolean {
    if (this.entries.has(id)) return false;
    const at = this.now();
    this.append({ op: 'accepted', id, at });
    this.entries.set(id, { acceptedAt: at });
    this.compactIfLong();
    return true;
  }

  /**
   * Records the process group an accepted, unfinished execution runs in. Written but not fsynced:
   * what it guards against is the agent dying while the group lives on, and the page cache outlives
   * the agent; a crash of the machine loses the line, but then the group is gone with it.
   */
  started(id: string, group: GroupIdentity): void {
    const entry = this.entries.get(id);
    if (!entry || entry.result) return;
    this.append({ op: 'started', id, at: this.now(), group }, false);
    entry.group = group;
    this.compactIfLong();
  }

  /** Records the final RESULT of an accepted execution (once; a second one is ignored). */
  finish(id: string, result: ResultBody): void {
    const entry = this.entries.get(id);
    if (!entry || entry.result) return;
    this.append({ op: 'result', id, at: this.now(), result });
    entry.result = result;
    delete entry.group;
    this.compactIfLong();
  }

  /** The hub has the RESULT: it need not be sent again. Unknown, unfinished or already acked → nothing. */
  ack(id: string): void {
    const entry = this.entries.get(id);
    if (!entry?.result || entry.ackedAt !== undefined) return;
    const at = this.now();
    this.append({ op: 'acked', id, at });
    entry.ackedAt = at;
    this.compactIfLong();
  }

  /** Final RESULTs the hub has not acknowledged, oldest first. */
  unacked(): ResultBody[] {
    return [...this.entries.values()].filter((e) => e.result && e.ackedAt === undefined).map((e) => e.result!);
  }

  /** Accepted executions without a RESULT: on open, those a crash interrupted. */
  unfinished(): string[] {
    return [...this.entries].filter(([, e]) => !e.result).map(([id]) => id);
  }

  /** Drops acked entries past the retention and rewrites the journal with the rest. */
  prune(): void {
    if (this.closed) return;
    closeSync(this.fd);
    this.fd = this.compact();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }

  private append(record: JournalRecord, durable = true): void {
    // After close (the agent is exiting) nothing more is recorded: an execution without its result
    // line is reported "agent restarted during execution" at the next start, never run again.
    if (this.closed) return;
    writeSync(this.fd, `${JSON.stringify(record)}\n`);
    if (durable) fsyncSync(this.fd);
    this.appendedSinceCompaction++;
  }

  // After the in-memory state took the record: a compaction writes from memory.
  private compactIfLong(): void {
    if (this.appendedSinceCompaction >= (this.opts.compactAfterRecords ?? 10_000)) this.prune();
  }

  private replay(): void {
    let text: string;
    try {
      text = readFileSync(join(this.dir, JOURNAL), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    // Only lines ended by "\n" were fully written; a crash mid-append leaves a torn tail, which is ignored.
    const complete = text.slice(0, text.lastIndexOf('\n') + 1);
    for (const line of complete.split('\n')) {
      if (!line) continue;
      let record: JournalRecord;
      try {
        record = JSON.parse(line) as JournalRecord;
      } catch {
        continue; // A line damaged some other way: skip it rather than refuse to start.
      }
      this.apply(record);
    }
  }

  private apply(r: JournalRecord): void {
    if (r.op === 'accepted') {
      if (!this.entries.has(r.id)) this.entries.set(r.id, { acceptedAt: r.at });
      return;
    }
    const entry = this.entries.get(r.id);
    if (!entry) return;
    if (r.op === 'started') {
      if (!entry.result) entry.group = r.group;
    } else if (r.op === 'result') {
      entry.result = r.result;
      delete entry.group;
    } else entry.ackedAt = r.at;
  }

  /** Writes the live entries to a new journal and returns its append descriptor. */
  private compact(): number {
    const cutoff = this.now() - this.opts.retentionMs;
    for (const [id, e] of this.entries) if (e.ackedAt !== undefined && e.ackedAt < cutoff) this.entries.delete(id);
    const lines: string[] = [];
    for (const [id, e] of this.entries) {
      lines.push(JSON.stringify({ op: 'accepted', id, at: e.acceptedAt } satisfies JournalRecord));
      if (e.group) lines.push(JSON.stringify({ op: 'started', id, at: e.acceptedAt, group: e.group } satisfies JournalRecord));
      if (e.result) lines.push(JSON.stringify({ op: 'result', id, at: e.acceptedAt, result: e.result } satisfies JournalRecord));
      if (e.ackedAt !== undefined) lines.push(JSON.stringify({ op: 'acked', id, at: e.ackedAt } satisfies JournalRecord));
    }
    const tmp = join(this.dir, `${JOURNAL}.tmp`);
    const tfd = openSync(tmp, 'w', 0o600);
    try {
      if (lines.length > 0) writeSync(tfd, `${lines.join('\n')}\n`);
      fsyncSync(tfd);
    } finally {
      closeSync(tfd);
    }
    renameSync(tmp, join(this.dir, JOURNAL));
    fsyncDir(this.dir);
    this.appendedSinceCompaction = 0;
    return openSync(join(this.dir, JOURNAL), 'a', 0o600);
  }
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
