import { ApiClient } from '../api/client.js';
import { ApiError } from '../api/api-error.js';
import { promptHidden, promptLine, readPasswordFromStream } from '../auth/password.js';
import { normaliseUrl } from '../config/config-file.js';
import { DEFAULT_CONTEXT } from '../config/paths.js';
import { describeOrigin } from '../config/settings.js';
import { CliError, UsageError } from '../errors.js';
import type { Context } from '../context.js';

export interface LoginOptions {
  email?: string;
  passwordStdin?: boolean;
}

/**
 * Logs in with email + password and stores the token pair as the context's login; nothing is
 * written if it fails. The URL: --url, FLEETPLANE_URL, the context's url in a config file, the
 * URL of its previous login, else http://127.0.0.1:4000.
 */
export async function login(ctx: Context, opts: LoginOptions): Promise<void> {
  const profile = await ctx.profile();
  const url = normaliseUrl(profile.url.value);
  if (!url) throw new UsageError(`gateway URL "${profile.url.value}" (${describeOrigin(profile.url.origin)}) is not an http:// or https:// URL`);
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
    if (err instanceof ApiError && err.status === 401) throw new CliError(`login failed: ${err.apiMessage}${err.traceId ? ` (trace ${err.traceId})` : ''}`);
    throw err;
  }
  await profile.store.save({ url, ...tokens });
  const context = profile.context.value === DEFAULT_CONTEXT ? '' : ` (context ${profile.context.value})`;
  ctx.err.write(`logged in to ${url} as ${email}${context}; credentials saved in ${profile.store.path}\n`);
}

/** Revokes the stored refresh token's family at the gateway, then forgets the context's credentials. */
export async function logout(ctx: Context): Promise<void> {
  const { store } = await ctx.profile();
  const creds = await store.load();
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
  await store.remove();
  ctx.err.write(revoked ? 'logged out\n' : 'logged out locally\n');
}
