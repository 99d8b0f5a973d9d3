import type { Command as Program } from 'commander';
import { createApiKey, listApiKeys, revokeApiKey, type CreateApiKeyOptions } from '../commands/api-keys.js';
import type { Context } from '../context.js';
import { collectScope, parseExpires } from '../options.js';
import { outputOptions, roleOption } from './shared-options.js';

/** `fleetplane api-keys …`: keys for scripts and CI, with a role, scopes and an expiry. */
export function registerApiKeys(program: Program, ctx: Context): void {
  const apiKeys = program.command('api-keys').description('manage API keys for scripts and CI');
  outputOptions(apiKeys.command('list').description('list API keys')).action(() => listApiKeys(ctx));
  outputOptions(apiKeys.command('create').description('create an API key and print it (shown only once)').argument('<name>'))
    .addOption(roleOption('the role the key acts with').makeOptionMandatory())
    .option('--scope <scope>', 'a scope the key may use (repeatable or comma-separated; default: every scope)', collectScope)
    .option('--expires <when>', 'a duration from now (30d, 12h, 90m, 2w) or an ISO 8601 time', (v: string) => parseExpires(v))
    .action((name: string, opts: CreateApiKeyOptions) => createApiKey(ctx, name, opts));
  apiKeys
    .command('revoke')
    .description('revoke an API key')
    .argument('<id>', 'API key id')
    .action((id: string) => revokeApiKey(ctx, id));
}
