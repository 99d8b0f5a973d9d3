import { Option, type Command as Program } from 'commander';
import type { AgentFilter } from '../api/requests.js';
import type { AgentSummary } from '../api/schemas.js';
import type { Context } from '../context.js';
import { collectLabel } from '../options.js';
import { formatAgents } from '../output/format.js';
import { renderTable } from '../output/table.js';
import { outputOptions } from '../program/shared-options.js';

/** `agents list` options as commander parses them. */
export interface AgentListOptions {
  site?: string;
  label?: Record<string, string>;
  capability?: string[];
  os?: string;
  version?: string;
  connected?: boolean;
  disconnected?: boolean;
  seenBefore?: string;
  seenAfter?: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** The gateway's query parameters for the options given; the gateway checks the values and names a bad one. */
export function toAgentFilter(o: AgentListOptions): AgentFilter {
  return {
    ...(o.site ? { site: o.site } : {}),
    ...(o.label && Object.keys(o.label).length ? { label: Object.entries(o.label).map(([k, v]) => `${k}=${v}`) } : {}),
    ...(o.capability?.length ? { capability: o.capability } : {}),
    ...(o.os ? { os: o.os } : {}),
    ...(o.version ? { version: o.version } : {}),
    ...(o.connected ? { connected: 'true' as const } : o.disconnected ? { connected: 'false' as const } : {}),
    ...(o.seenBefore ? { seenBefore: o.seenBefore } : {}),
    ...(o.seenAfter ? { seenAfter: o.seenAfter } : {}),
  };
}

export async function listAgentsFiltered(ctx: Context, opts: AgentListOptions): Promise<void> {
  const agents = await (await ctx.client()).listAgents(toAgentFilter(opts));
  await ctx.print(agents, (width) => formatAgents(agents, width));
}

export function formatAgentSummary(s: AgentSummary, width?: number): string {
  const groups = [
    ...s.bySite.map((g) => ['site', g.site || '(none)', g.total, g.connected] as const),
    ...s.byOs.map((g) => ['os', g.os || '(none)', g.total, g.connected] as const),
    ...s.byVersion.map((g) => ['version', g.version || '(none)', g.total, g.connected] as const),
  ];
  const head = `${s.total} agents, ${s.connected} connected, ${s.disconnected} disconnected\n`;
  return (
    head +
    renderTable(
      ['BY', 'VALUE', 'AGENTS', 'CONNECTED'],
      groups.map(([by, v, t, c]) => [by, v, String(t), String(c)]),
      width,
    )
  );
}

export async function showAgentSummary(ctx: Context): Promise<void> {
  const summary = await (await ctx.client()).getAgentSummary();
  await ctx.print(summary, (width) => formatAgentSummary(summary, width));
}

/** `agents list` with the registry's filters, and `agents summary`, on the `agents` command group. */
export function registerAgentRegistry(agents: Program, ctx: Context): void {
  outputOptions(agents.command('list').description('list agents; the filters given must all match'))
    .option('--site <site>', 'only agents of this site')
    .option('--label <key=value>', 'only agents with this label (repeatable)', collectLabel)
    .option('--capability <name>', 'only agents with this capability (repeatable)', collect)
    .option('--os <os>', 'only agents of this os (e.g. linux)')
    .option('--version <version>', 'only agents of this version')
    .addOption(new Option('--connected', 'only agents connected now').conflicts('disconnected'))
    .addOption(new Option('--disconnected', 'only agents not connected now'))
    .option('--seen-before <time>', 'only agents last seen before this ISO 8601 time')
    .option('--seen-after <time>', 'only agents last seen at or after this ISO 8601 time')
    .action((opts: AgentListOptions) => listAgentsFiltered(ctx, opts));
  outputOptions(agents.command('summary').description('count agents by site, os, version and connected')).action(() => showAgentSummary(ctx));
}
