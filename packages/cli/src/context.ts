import type { ApiClient, FetchFn } from './api/client.js';
import type { TtyInput } from './auth/password.js';
import type { CliEnv } from './auth/session.js';
import type { Writer } from './commands/results.js';
import type { Profile } from './config/profile.js';

/** Everything a command touches outside itself, so tests can hand in fakes. */
export interface Context {
  env: CliEnv;
  out: Writer;
  err: Writer;
  stdin: TtyInput;
  stderrStream: NodeJS.WritableStream;
  fetch?: FetchFn;
  sleep?: (ms: number) => Promise<void>;
  /** This invocation's settings (flags, environment, files), read once, after the arguments are parsed. */
  profile(): Promise<Profile>;
  /** The authenticated API client (API key or the context's login); throws "not logged in" without either. */
  client(): Promise<ApiClient>;
  /** Prints `data` in the chosen --output format; `table(width)` renders the table view. */
  print(data: unknown, table: (width: number | undefined) => string): Promise<void>;
}
