import type { ApiClient, FetchFn } from './api/client.js';
import type { CredentialStore } from './auth/credentials.js';
import type { TtyInput } from './auth/password.js';
import type { CliEnv } from './auth/session.js';
import type { Writer } from './commands/results.js';

/** Everything a command touches outside itself, so tests can hand in fakes. */
export interface Context {
  env: CliEnv;
  out: Writer;
  err: Writer;
  stdin: TtyInput;
  stderrStream: NodeJS.WritableStream;
  store: CredentialStore;
  fetch?: FetchFn;
  sleep?: (ms: number) => Promise<void>;
  /** The authenticated API client (API key or stored login); throws "not logged in" without either. */
  client(): Promise<ApiClient>;
}
