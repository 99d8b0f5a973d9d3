import { createWriteStream, type WriteStream } from 'node:fs';

const DEFAULT_LIMIT = 200 * 1024;

/**
 * Keeps the last `limit` characters a child wrote, so failures can quote the
 * end of a server's log without holding a whole chatty run in memory.
 * Optionally mirrors everything to a log file.
 */
export class OutputBuffer {
  private text = '';
  private readonly listeners = new Set<() => void>();
  private readonly file: WriteStream | undefined;

  constructor(
    logFile?: string,
    private readonly limit = DEFAULT_LIMIT,
  ) {
    this.file = logFile ? createWriteStream(logFile, { flags: 'a' }) : undefined;
    // A broken log file must not crash the test run; the in-memory copy remains.
    this.file?.on('error', () => undefined);
  }

  append(chunk: Buffer | string): void {
    const s = chunk.toString();
    this.file?.write(s);
    this.text += s;
    if (this.text.length > this.limit) this.text = this.text.slice(this.text.length - this.limit);
    for (const listener of this.listeners) listener();
  }

  all(): string {
    return this.text;
  }

  tail(chars = 4000): string {
    return this.text.length > chars ? `…${this.text.slice(this.text.length - chars)}` : this.text;
  }

  /** Calls `listener` after every append; returns an unsubscribe function. */
  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    const file = this.file;
    if (!file || file.closed) return;
    await new Promise<void>((resolve) => file.end(resolve));
  }
}
