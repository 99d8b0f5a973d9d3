import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import type { TtyInput } from '../auth/password.js';
import type { FetchFn } from '../api/client.js';
import { runCli } from '../program.js';
import { MemoryWriter } from './fakes.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** With `typed`: each setRawMode call on the fake terminal (true = echo off). */
  rawModes?: boolean[];
}

export interface RunOptions {
  fetch?: FetchFn;
  env?: Record<string, string>;
  stdin?: string;
  cwd?: string;
  /** Pretend stdout is a terminal this wide. */
  columns?: number;
  /** Pretend stdin is a terminal that types these lines, one per prompt written to stderr. */
  typed?: string[];
}

/** A terminal on stdin: records raw mode (echo off) and answers each prompt with the next line. */
export class FakeTerminal extends PassThrough implements TtyInput {
  readonly isTTY = true;
  rawModes: boolean[] = [];
  constructor(private readonly lines: string[]) {
    super();
  }
  setRawMode(mode: boolean): this {
    this.rawModes.push(mode);
    return this;
  }
  /** Called for each prompt; the answer arrives after the prompt's listener is attached. */
  answer(): void {
    const line = this.lines.shift();
    if (line !== undefined) setImmediate(() => this.write(`${line}\r`));
  }
}

/**
 * runCli in a temp home `dir`: HOME is `dir`, XDG_CONFIG_HOME `dir/xdg`, the working directory
 * `dir/work` (no .fleetplanerc above it unless a test writes one), nothing from the real environment.
 */
export function cliIn(dir: string, base: Record<string, string> = {}) {
  const work = join(dir, 'work');
  mkdirSync(work, { recursive: true });
  return async (args: string[], opts: RunOptions = {}): Promise<CliResult> => {
    const stdout = Object.assign(new MemoryWriter(), opts.columns ? { isTTY: true, columns: opts.columns } : {});
    const terminal = opts.typed ? new FakeTerminal([...opts.typed]) : undefined;
    const stderr = new MemoryWriter();
    if (terminal) stderr.onWrite = (s) => s.endsWith(': ') && terminal.answer();
    const code = await runCli(args, {
      env: { XDG_CONFIG_HOME: join(dir, 'xdg'), ...base, ...opts.env },
      stdout,
      stderr,
      stdin: terminal ?? Readable.from(opts.stdin === undefined ? [] : [Buffer.from(opts.stdin)]),
      home: dir,
      cwd: opts.cwd ?? work,
      sleep: () => Promise.resolve(),
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
    });
    return { code, stdout: stdout.text, stderr: stderr.text, ...(terminal ? { rawModes: terminal.rawModes } : {}) };
  };
}
