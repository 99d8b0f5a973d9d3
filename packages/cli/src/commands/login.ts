import { ApiClient } from '../api/client.js';
import { ApiError } from '../api/api-error.js';
import { promptHidden, promptLine, readPasswordFromStream } from '../auth/password.js';
import { DEFAULT_URL } from '../auth/session.js';
import { CliError, UsageError } from '../errors.js';
import type { Context } from '../context.js';

export interface LoginOptions {
  url?: string;
  email?: string;
  passwordStdin?: boolean;
}

/** Logs in with email + password and stores the token pair; nothing is written if it fails. */
export async function login(ctx: Context, opts: LoginOptions): Promise<void> {
  const stored = await ctx.store.load().catch(() => undefined);
  const url = normaliseUrl(opts.url || ctx.env.FLEETPLANE_URL || stored?.url || DEFAULT_URL);
  if (opts.passwordStdin && !opts.email) throw new UsageError('--password-stdin needs --email');
  const email = opts.email || (await promptLine('Email: ', ctx.stdin, ctx.stderrStream));
  if (!email) throw new UsageError('no email given');
  const password = opts.passwordStdin ? await readPasswordFromStream(ctx.stdin) : await promptHidden('Password: ', ctx.stdin, ctx.stderrStream);
  if (!password) throw new UsageError('no password given');

  const api = new ApiClient(url, { kind: 'none' }, ctx.fetch);
  let tokens;
  try {
    tokens = await api.login(email, password);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) throw new CliError(`login failed: ${err.apiMessage}`);
    throw err;
  }
  await ctx.store.save({ url, ...tokens });
  ctx.err.write(`logged in to ${url} as ${email}; credentials saved in ${ctx.store.path}\n`);
}

/** Revokes the stored refresh token's family at the gateway, then forgets the credentials. */
export async function logout(ctx: Context): Promise<void> {
  const creds = await ctx.store.load();
  if (!creds) {
    ctx.err.write('not logged in\n');
    return;
  }
  let revoked = true;
  try {
    await new ApiClient(creds.url, { kind: 'none' }, ctx.fetch).logout(creds.refreshToken);
  } catch (err) {
    // The local copy goes anyway: logging out must work even when the gateway is down.
    revoked = false;
    ctx.err.write(`fleetplane: could not revoke the session at ${creds.url}: ${(err as Error).message}\n`);
  }
  await ctx.store.remove();
  ctx.err.write(revoked ? 'logged out\n' : 'logged out locally\n');
}

function normaliseUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new UsageError(`--url: "${raw}" is not a URL (e.g. http://127.0.0.1:4000)`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UsageError(`--url: must be http:// or https://`);
  return `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
}
