import type { Agent, Command } from '../api/schemas.js';
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

/** A selector as the flags that make it: `site=eu label:role=web os=linux connected`. */
export function showSelector(c: Command): string | null {
  const sel = c.selector;
  if (!sel) return null;
  const parts = [
    ...(sel.agentIds.length ? [`agents=${sel.agentIds.join(',')}`] : []),
    ...(sel.site ? [`site=${sel.site}`] : []),
    ...Object.entries(sel.labels).map(([k, v]) => `label:${k}=${v}`),
    ...(sel.capabilities.length ? [`capabilities=${sel.capabilities.join(',')}`] : []),
    ...(sel.os ? [`os=${sel.os}`] : []),
    ...(sel.connected === null ? [] : [sel.connected ? 'connected' : 'disconnected']),
  ];
  return parts.join(' ');
}

export function formatCommands(commands: Command[], width?: number): string {
  if (commands.length === 0) return 'no commands\n';
  return renderTable(
    ['ID', 'VERB', 'STATE', 'PRIORITY', 'TARGETS', 'CREATED', 'PARAMS'],
    commands.map((c) => [
      c.id,
      c.verb,
      c.state,
      c.priority,
      c.summary ? String(c.summary.targets) : (showSelector(c) ?? 'agent list'),
      c.createdAt,
      showParams(c),
    ]),
    width,
  );
}

const limit = (n: number | null, none: number | null) => (n === none ? 'none' : String(n));

/** One command: its settings, then its summary (counts per state, exit codes, first errors, non-responders). */
export function formatCommand(c: Command, width?: number): string {
  const head = renderFields([
    ['id', c.id],
    ['verb', c.verb],
    ['params', showParams(c)],
    ['state', c.state],
    ['end reason', c.endReason],
    ['priority', c.priority],
    ['targets', c.summary ? `${c.summary.targets}${c.selector ? ` (selector: ${showSelector(c)})` : ''}` : showSelector(c)],
    ['timeout', `${c.timeoutSeconds} s`],
    ['ttl', `${c.ttlSeconds} s`],
    ['max concurrency', limit(c.maxConcurrency, 0)],
    ['max errors', limit(c.maxErrors, null)],
    ['retry of', c.retryOf],
    ['requested by', c.requestedBy],
    ['created', c.createdAt],
    ['cancelled', c.cancelledAt],
  ]);
  const s = c.summary;
  if (!s) return head;
  const parts = [head];
  const states = Object.entries(s.byState).filter(([, n]) => n > 0);
  parts.push(renderTable(['STATE', 'EXECUTIONS'], states.length ? states : [['-', 0]], width));
  if (s.exitCodes.length)
    parts.push(
      renderTable(
        ['EXIT CODE', 'EXECUTIONS'],
        s.exitCodes.map((x) => [x.exitCode, x.count]),
        width,
      ),
    );
  if (s.firstErrors.length)
    parts.push(
      renderTable(
        ['FIRST ERRORS', 'AGENT', 'STATE', 'ERROR'],
        s.firstErrors.map((f) => [f.executionId, f.agentId, f.state, f.error]),
        width,
      ),
    );
  if (s.nonRespondersTotal > 0) {
    const more = s.nonRespondersTotal - s.nonResponders.length;
    parts.push(`non-responders (${s.nonRespondersTotal}): ${s.nonResponders.join(', ')}${more > 0 ? ` and ${more} more` : ''}\n`);
  }
  parts.push(`executions: fleetplane commands executions ${c.id}\n`);
  return parts.join('\n');
}
