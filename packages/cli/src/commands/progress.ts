import type { Command } from '../api/schemas.js';
import type { Writer } from './results.js';

/** The counts of a command's progress line, from its summary's executions per state. */
export function progressCounts(c: Command): { total: number; done: number; failed: number; running: number; waiting: number } {
  const n = (s: string) => c.summary?.byState[s] ?? 0;
  return {
    total: c.summary?.targets ?? 0,
    done: n('COMPLETED'),
    failed: n('FAILED') + n('TIMED_OUT') + n('CANCELLED') + n('SKIPPED') + n('EXPIRED'),
    running: n('DISPATCHED') + n('RUNNING'),
    waiting: n('PENDING') + n('QUEUED'),
  };
}

/** `c1: 40/100 done, 2 failed, 5 running, 53 waiting [RUNNING]` */
export function progressLine(c: Command): string {
  const p = progressCounts(c);
  return `${c.id}: ${p.done}/${p.total} done, ${p.failed} failed, ${p.running} running, ${p.waiting} waiting [${c.state}]`;
}

/**
 * The live progress of `run`, on stderr (stdout keeps the results): on a terminal one line
 * redrawn in place; otherwise (a log, CI) a plain line each time it changes, when `plain` is set.
 */
export class ProgressReporter {
  private last = '';
  private drawn = false;

  constructor(
    private readonly err: Writer,
    private readonly tty: boolean,
    private readonly plain: boolean,
  ) {}

  update(c: Command): void {
    const line = progressLine(c);
    if (line === this.last) return;
    this.last = line;
    if (this.tty) {
      // Carriage return and erase-line: the line is redrawn where it is.
      this.err.write(`\r\x1b[2K${line}`);
      this.drawn = true;
    } else if (this.plain) {
      this.err.write(`${line}\n`);
    }
  }

  /** Ends the redrawn line, so what follows starts on its own. */
  finish(): void {
    if (this.drawn) this.err.write('\n');
    this.drawn = false;
  }
}
