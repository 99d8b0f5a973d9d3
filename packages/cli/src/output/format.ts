import type { Agent, Command, CommandDetail, Execution } from '../api/schemas.js';
import { renderFields, renderTable } from './table.js';

const labels = (l: Record<string, string>) =>
  Object.entries(l)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

export function formatAgents(agents: Agent[], width?: number): string {
  if (agents.length === 0) return 'no agents\n';
  return renderTable(
    ['ID', 'SITE', 'CONNECTED', 'LAST SEEN', 'OS', 'VERSION', 'LABELS'],
    agents.map((a) => [a.id, a.site, a.connected ? 'yes' : 'no', a.lastSeenAt, a.os, a.version, labels(a.labels)]),
    width,
  );
}

export function formatAgent(a: Agent): string {
  return renderFields([
    ['id', a.id],
    ['site', a.site],
    ['connected', a.connected ? 'yes' : 'no'],
    ['last seen', a.lastSeenAt],
    ['enrolled', a.enrolledAt],
    ['os', a.os],
    ['kernel', a.kernel],
    ['version', a.version],
    ['container engine', a.containerEngine],
    ['capabilities', a.capabilities.join(', ')],
    ['labels', labels(a.labels)],
  ]);
}

/** argv as a shell would need it quoted, for display only (nothing here is ever run). */
function showParams(c: Command): string {
  const p = c.params as { argv?: unknown } | undefined;
  if (c.verb === 'exec' && Array.isArray(p?.argv))
    return p.argv.map((a) => (/^[\w@%+=:,./-]+$/.test(String(a)) ? String(a) : JSON.stringify(String(a)))).join(' ');
  return JSON.stringify(c.params ?? {});
}

export function formatCommands(commands: Command[], width?: number): string {
  if (commands.length === 0) return 'no commands\n';
  return renderTable(
    ['ID', 'VERB', 'STATE', 'PRIORITY', 'TARGETS', 'CREATED', 'PARAMS'],
    commands.map((c) => [c.id, c.verb, c.state, c.priority, c.summary?.targets ?? null, c.createdAt, showParams(c)]),
    width,
  );
}

const exitCode = (e: Execution) => (e.exitCode === null ? null : String(e.exitCode));

export function formatCommand(c: CommandDetail, width?: number): string {
  const head = renderFields([
    ['id', c.id],
    ['verb', c.verb],
    ['params', showParams(c)],
    ['state', c.state],
    ['priority', c.priority],
    ['timeout', `${c.timeoutSeconds} s`],
    ['requested by', c.requestedBy],
    ['created', c.createdAt],
  ]);
  const table = renderTable(
    ['EXECUTION', 'AGENT', 'STATE', 'EXIT', 'ATTEMPTS', 'FINISHED', 'ERROR'],
    c.executions.map((e) => [e.id, e.agentId, e.state, exitCode(e), e.attempts, e.finishedAt, e.error]),
    width,
  );
  const outputs = c.executions
    .filter((e) => e.stdout || e.stderr)
    .map((e) => {
      const parts = [`--- ${e.agentId} (${e.id})${e.truncated ? ' [output truncated]' : ''}`];
      if (e.stdout) parts.push(`stdout:\n${withNewline(e.stdout)}`);
      if (e.stderr) parts.push(`stderr:\n${withNewline(e.stderr)}`);
      return `${parts.join('\n')}\n`;
    });
  return [head, table, ...outputs].join('\n');
}

const withNewline = (s: string) => (s.endsWith('\n') ? s.slice(0, -1) : s);
