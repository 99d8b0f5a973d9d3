import type { Command as Program } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { EnrollmentToken } from '../api/enrollment-schemas.js';
import type { Context } from '../context.js';
import { collectLabel, parseExpires } from '../options.js';
import { renderTable } from '../output/table.js';
import { outputOptions } from '../program/shared-options.js';

/** `enrollment-tokens create` options as commander parses them. */
export interface CreateEnrollmentTokenOptions {
  site?: string;
  label?: Record<string, string>;
  /** Already an ISO instant (options.ts parseExpires). */
  expires?: string;
  maxUses?: number;
  allowReenroll?: boolean;
}

function parseMaxUses(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 100_000) throw new InvalidArgumentError('must be a whole number between 1 and 100000');
  return n;
}

export function formatEnrollmentTokens(tokens: EnrollmentToken[], width?: number): string {
  if (tokens.length === 0) return 'no enrollment tokens\n';
  return renderTable(
    ['ID', 'PREFIX', 'SITE', 'USES', 'EXPIRES', 'REVOKED', 'REENROLL', 'LAST AGENT', 'CREATED BY'],
    tokens.map((t) => [t.id, t.prefix, t.site, `${t.uses}/${t.maxUses}`, t.expiresAt, t.revokedAt, t.allowReenroll ? 'yes' : 'no', t.lastAgentId, t.createdBy]),
    width,
  );
}

/** The token goes to stdout alone (`TOKEN=$(fleetplane enrollment-tokens create --site par)`); the note to stderr. */
export async function createEnrollmentToken(ctx: Context, opts: CreateEnrollmentTokenOptions): Promise<void> {
  const created = await (
    await ctx.client()
  ).createEnrollmentToken({
    ...(opts.site ? { site: opts.site } : {}),
    ...(opts.label && Object.keys(opts.label).length ? { labels: opts.label } : {}),
    ...(opts.expires ? { expiresAt: opts.expires } : {}),
    ...(opts.maxUses ? { maxUses: opts.maxUses } : {}),
    ...(opts.allowReenroll ? { allowReenroll: true } : {}),
  });
  await ctx.print(created, () => `${created.token}\n`);
  const t = created.enrollmentToken;
  ctx.err.write(
    `created enrollment token ${t.prefix} (${t.id}): ${t.maxUses} use(s) until ${t.expiresAt}; shown only once: start agents with --enrollment-token or FLEETPLANE_ENROLLMENT_TOKEN\n`,
  );
}

export async function listEnrollmentTokens(ctx: Context): Promise<void> {
  const tokens = await (await ctx.client()).listEnrollmentTokens();
  await ctx.print(tokens, (width) => formatEnrollmentTokens(tokens, width));
}

export async function revokeEnrollmentToken(ctx: Context, id: string): Promise<void> {
  await (await ctx.client()).revokeEnrollmentToken(id);
  ctx.err.write(`revoked enrollment token ${id}\n`);
}

export async function revokeAgent(ctx: Context, id: string): Promise<void> {
  await (await ctx.client()).revokeAgent(id);
  ctx.err.write(`revoked agent ${id}: its credential is refused and its session closed\n`);
}

export async function deleteAgent(ctx: Context, id: string): Promise<void> {
  await (await ctx.client()).deleteAgent(id);
  ctx.err.write(`deleted agent ${id}\n`);
}

/** `fleetplane enrollment-tokens create|list|revoke`. */
export function registerEnrollmentTokens(program: Program, ctx: Context): void {
  const tokens = program.command('enrollment-tokens').description('manage the tokens agents enrol with');
  outputOptions(tokens.command('create').description('create an enrollment token and print it (shown only once)'))
    .option('--site <site>', 'the site of every agent that enrols with it')
    .option('--label <key=value>', 'a label of every agent that enrols with it (repeatable)', collectLabel)
    .option('--expires <when>', 'a duration from now (30d, 12h, 90m, 2w) or an ISO 8601 time (default: 24 hours)', (v: string) => parseExpires(v))
    .option('--max-uses <n>', 'how many agents may enrol with it (default 1)', parseMaxUses)
    .option('--allow-reenroll', 'let an already enrolled agent id enrol again (rotating its credential)')
    .action((opts: CreateEnrollmentTokenOptions) => createEnrollmentToken(ctx, opts));
  outputOptions(tokens.command('list').description('list enrollment tokens (never their secrets)')).action(() => listEnrollmentTokens(ctx));
  tokens
    .command('revoke')
    .description('revoke an enrollment token')
    .argument('<id>', 'enrollment token id')
    .action((id: string) => revokeEnrollmentToken(ctx, id));
}

/** `fleetplane agents revoke|delete ID`, added to the `agents` command. */
export function registerAgentAccess(agents: Program, ctx: Context): void {
  agents
    .command('revoke')
    .description('revoke an agent: its credential is refused and its session closed at once')
    .argument('<id>', 'agent id')
    .action((id: string) => revokeAgent(ctx, id));
  agents
    .command('delete')
    .description('remove an agent from the registry (its session is closed; the id may enrol again)')
    .argument('<id>', 'agent id')
    .action((id: string) => deleteAgent(ctx, id));
}
