import type { Role, Scope } from '../api/schemas.js';
import type { Context } from '../context.js';
import { formatApiKeys } from '../output/format-users.js';

export interface CreateApiKeyOptions {
  role: Role;
  scope?: Scope[];
  /** Already an ISO instant (options.ts parseExpires). */
  expires?: string;
}

export async function listApiKeys(ctx: Context): Promise<void> {
  const keys = await (await ctx.client()).listApiKeys();
  await ctx.print(keys, (width) => formatApiKeys(keys, width));
}

/** The key goes to stdout alone (`KEY=$(fleetplane api-keys create ci --role viewer)`); the note to stderr. */
export async function createApiKey(ctx: Context, name: string, opts: CreateApiKeyOptions): Promise<void> {
  const created = await (
    await ctx.client()
  ).createApiKey({
    name,
    role: opts.role,
    ...(opts.scope?.length ? { scopes: opts.scope } : {}),
    ...(opts.expires ? { expiresAt: opts.expires } : {}),
  });
  await ctx.print(created, () => `${created.key}\n`);
  ctx.err.write(`created API key ${created.apiKey.name} (${created.apiKey.id}): the key is shown only once; use it as FLEETPLANE_API_KEY\n`);
}

export async function revokeApiKey(ctx: Context, id: string): Promise<void> {
  await (await ctx.client()).revokeApiKey(id);
  ctx.err.write(`revoked API key ${id}\n`);
}
