import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { FetchFn } from '../api/client.js';
import { runCli } from '../program.js';
import { MemoryWriter } from './fakes.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  fetch?: FetchFn;
  env?: Record<string, string>;
  stdin?: string;
  cwd?: string;
  /** Pretend stdout is a terminal this wide. */
  columns?: number;
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
    const stderr = new MemoryWriter();
    const code = await runCli(args, {
      env: { XDG_CONFIG_HOME: join(dir, 'xdg'), ...base, ...opts.env },
      stdout,
      stderr,
      stdin: Readable.from(opts.stdin === undefined ? [] : [Buffer.from(opts.stdin)]),
      home: dir,
      cwd: opts.cwd ?? work,
      sleep: () => Promise.resolve(),
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
    });
    return { code, stdout: stdout.text, stderr: stderr.text };
  };
}
