import type { Command as Program } from 'commander';
import type { DocBody } from '../api/document.js';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { parseLimit } from '../options.js';
import { renderFields, renderTable } from '../output/table.js';
import { outputOptions } from '../program/shared-options.js';
import type { Alert, AlertDetail, AlertRule } from './alert-schemas.js';

const STATES = ['FIRING', 'ACKNOWLEDGED', 'RESOLVED'] as const;
const SEVERITIES = ['WARNING', 'CRITICAL'] as const;
const COMPARISONS = ['>', '>=', '<', '<='] as const;

export interface ListAlertsOptions {
  state?: string;
  severity?: string;
  agent?: string;
  limit?: number;
}

export interface RuleOptions {
  name?: string;
  metric?: string;
  comparison?: string;
  warning?: string;
  critical?: string;
  clear?: string;
  for?: string;
  agent?: string[];
  site?: string;
  label?: string[];
  enabled?: boolean;
  disabled?: boolean;
}

const upper = (v: string | undefined, allowed: readonly string[], flag: string): string | undefined => {
  if (v === undefined) return undefined;
  const u = v.toUpperCase();
  if (!allowed.includes(u)) throw new UsageError(`${flag}: one of ${allowed.map((a) => a.toLowerCase()).join(', ')}`);
  return u;
};

const where = (a: Alert) => (a.mount ? `${a.agentId}:${a.mount}` : a.agentId);
const value = (v: number | null) => (v === null ? '' : Number.isInteger(v) ? String(v) : v.toFixed(1));

export function formatAlerts(alerts: readonly Alert[], width?: number): string {
  if (alerts.length === 0) return 'no alerts\n';
  return renderTable(
    ['ID', 'STATE', 'SEVERITY', 'RULE', 'AGENT', 'VALUE', 'OPENED'],
    alerts.map((a) => [a.id, a.state, a.severity, a.ruleName, where(a), value(a.lastValue), a.openedAt]),
    width,
  );
}

export function formatAlert(a: AlertDetail): string {
  const fields = renderFields([
    ['id', a.id],
    ['state', a.state],
    ['severity', a.severity],
    ['rule', `${a.ruleName} (${a.metric})`],
    ['agent', where(a)],
    ['opened', `${a.openedAt} at ${value(a.openedValue)}`],
    ['last value', value(a.lastValue)],
    ['acknowledged', a.acknowledgedAt ? `${a.acknowledgedAt} by ${a.acknowledgedBy ?? '?'}` : null],
    ['resolved', a.resolvedAt ? `${a.resolvedAt}${a.resolvedBy ? ` by ${a.resolvedBy}` : ' (below the clear threshold)'}` : null],
  ]);
  const history = renderTable(
    ['AT', 'TRANSITION', 'SEVERITY', 'VALUE', 'BY'],
    a.history.map((h) => [h.at, h.transition, h.severity, value(h.value), h.by ?? '']),
  );
  return `${fields}\n${history}`;
}

const threshold = (r: AlertRule) => [r.warning, r.critical].map((v) => (v === null ? '-' : String(v))).join('/');
const scopeOf = (r: AlertRule) =>
  [
    r.scope.agentIds.length ? `agents ${r.scope.agentIds.join(',')}` : '',
    r.scope.site ? `site ${r.scope.site}` : '',
    ...Object.entries(r.scope.labels).map(([k, v]) => `${k}=${v}`),
  ]
    .filter(Boolean)
    .join(' ') || 'all';

export function formatRules(rules: readonly AlertRule[], width?: number): string {
  return renderTable(
    ['ID', 'NAME', 'METRIC', 'WARN/CRIT', 'CLEAR', 'FOR', 'SCOPE', 'ENABLED'],
    rules.map((r) => [r.id, r.name, `${r.metric} ${r.comparison}`, threshold(r), r.clear ?? '', `${r.forSeconds}s`, scopeOf(r), r.enabled ? 'yes' : 'no']),
    width,
  );
}

export async function listAlerts(ctx: Context, opts: ListAlertsOptions): Promise<void> {
  const state = upper(opts.state, STATES, '--state') as (typeof STATES)[number] | undefined;
  const severity = upper(opts.severity, SEVERITIES, '--severity') as (typeof SEVERITIES)[number] | undefined;
  const page = await (
    await ctx.client()
  ).listAlerts({
    ...(state ? { state } : {}),
    ...(severity ? { severity } : {}),
    ...(opts.agent ? { agentId: opts.agent } : {}),
    ...(opts.limit ? { pageSize: opts.limit } : {}),
  });
  await ctx.print(page.alerts, (width) => formatAlerts(page.alerts, width));
}

export async function showAlert(ctx: Context, id: string): Promise<void> {
  const alert = await (await ctx.client()).getAlert(id);
  await ctx.print(alert, () => formatAlert(alert));
}

export async function ackAlert(ctx: Context, id: string): Promise<void> {
  const alert = await (await ctx.client()).acknowledgeAlert(id);
  await ctx.print(alert, () => formatAlert(alert));
}

export async function resolveAlert(ctx: Context, id: string): Promise<void> {
  const alert = await (await ctx.client()).resolveAlert(id);
  await ctx.print(alert, () => formatAlert(alert));
}

/** `none` clears a threshold (update); a number sets it. */
function thresholdOption(v: string | undefined, flag: string): number | null | undefined {
  if (v === undefined) return undefined;
  if (v === 'none') return null;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${flag}: a number, or none`);
  return n;
}

/** `90`, `90s`, `5m`, `1h` → seconds. */
export function parseFor(v: string): number {
  const m = /^(\d+)([smh]?)$/.exec(v);
  if (!m) throw new UsageError('--for: seconds, or a duration such as 90s, 5m, 1h');
  return Number(m[1]) * { '': 1, s: 1, m: 60, h: 3600 }[m[2] as '' | 's' | 'm' | 'h'];
}

/** The REST body fields the options give (only those given). */
export function ruleBody(opts: RuleOptions): Record<string, unknown> {
  if (opts.comparison !== undefined && !(COMPARISONS as readonly string[]).includes(opts.comparison))
    throw new UsageError(`--comparison: one of ${COMPARISONS.join(' ')}`);
  if (opts.enabled && opts.disabled) throw new UsageError('--enabled and --disabled: give one');
  const labels = Object.fromEntries(
    (opts.label ?? []).map((l) => {
      const i = l.indexOf('=');
      if (i < 1) throw new UsageError(`--label ${l}: give key=value`);
      return [l.slice(0, i), l.slice(i + 1)];
    }),
  );
  const scopeGiven = opts.agent !== undefined || opts.site !== undefined || opts.label !== undefined;
  const body: Record<string, unknown> = {
    ...(opts.name !== undefined ? { name: opts.name } : {}),
    ...(opts.metric !== undefined ? { metric: opts.metric } : {}),
    ...(opts.comparison !== undefined ? { comparison: opts.comparison } : {}),
    ...(opts.for !== undefined ? { forSeconds: parseFor(opts.for) } : {}),
    ...(scopeGiven ? { scope: { agentIds: opts.agent ?? [], site: opts.site ?? '', labels } } : {}),
    ...(opts.enabled ? { enabled: true } : {}),
    ...(opts.disabled ? { enabled: false } : {}),
  };
  for (const k of ['warning', 'critical', 'clear'] as const) {
    const t = thresholdOption(opts[k], `--${k}`);
    if (t !== undefined) body[k] = t;
  }
  return body;
}

export async function listRules(ctx: Context): Promise<void> {
  const rules = await (await ctx.client()).listAlertRules();
  await ctx.print(rules, (width) => formatRules(rules, width));
}

export async function createRule(ctx: Context, name: string, opts: RuleOptions): Promise<void> {
  if (!opts.metric) throw new UsageError('alert-rules create: give --metric');
  const body = ruleBody({ ...opts, name, comparison: opts.comparison ?? '>' });
  const rule = await (await ctx.client()).createAlertRule(body as DocBody<'createAlertRule'>);
  await ctx.print(rule, () => formatRules([rule]));
}

export async function updateRule(ctx: Context, id: string, opts: RuleOptions): Promise<void> {
  const body = ruleBody(opts);
  if (Object.keys(body).length === 0) throw new UsageError('alert-rules update: nothing to change');
  const rule = await (await ctx.client()).updateAlertRule(id, body);
  await ctx.print(rule, () => formatRules([rule]));
}

export async function deleteRule(ctx: Context, id: string): Promise<void> {
  const resolved = await (await ctx.client()).deleteAlertRule(id);
  ctx.err.write(`deleted alert rule ${id}${resolved ? `; resolved its ${resolved} open alert(s)` : ''}\n`);
}

const collect = (v: string, previous: string[] = []) => [...previous, v];

function ruleOptions(cmd: Program): Program {
  return cmd
    .option('--comparison <op>', '> (default), >=, < or <=')
    .option('--warning <n>', 'warning threshold (none: no warning level)')
    .option('--critical <n>', 'critical threshold (none: no critical level)')
    .option('--clear <n>', 'resolve only once no longer past this (hysteresis; none: the warning threshold)')
    .option('--for <duration>', 'how long past a threshold before it fires: seconds or 90s, 5m, 1h')
    .option('--agent <id>', 'only this agent (repeatable)', collect)
    .option('--site <site>', 'only agents of this site')
    .option('--label <key=value>', 'only agents with this label (repeatable)', collect)
    .option('--enabled', 'evaluate it')
    .option('--disabled', 'keep it, evaluate nothing (resolves its open alerts)');
}

/** `fleetplane alerts …` and `fleetplane alert-rules …`. */
export function registerAlerts(program: Program, ctx: Context): void {
  const alerts = program.command('alerts').description('threshold alerts: list, inspect, acknowledge, resolve');
  outputOptions(alerts.command('list').description('alerts, newest first'))
    .option('--state <state>', 'firing, acknowledged or resolved')
    .option('--severity <severity>', 'warning or critical')
    .option('--agent <id>', "only this agent's")
    .option('--limit <n>', 'at most this many (1-500, default 50)', parseLimit)
    .action((opts: ListAlertsOptions) => listAlerts(ctx, opts));
  outputOptions(alerts.command('get').description('an alert with its history').argument('<id>', 'alert id')).action((id: string) => showAlert(ctx, id));
  outputOptions(alerts.command('ack').description('acknowledge a firing alert (operator)').argument('<id>', 'alert id')).action((id: string) =>
    ackAlert(ctx, id),
  );
  outputOptions(alerts.command('resolve').description('resolve an alert by hand (operator)').argument('<id>', 'alert id')).action((id: string) =>
    resolveAlert(ctx, id),
  );

  const rules = program.command('alert-rules').description('the rules alerts are evaluated by (admin edits)');
  outputOptions(rules.command('list').description('every rule, the seeded defaults first')).action(() => listRules(ctx));
  ruleOptions(
    outputOptions(
      rules
        .command('create')
        .description('add a rule')
        .argument('<name>', 'a unique name')
        .requiredOption('--metric <metric>', 'cpu_percent, memory_percent, disk_percent (per mount), containers_unhealthy, no_data, …'),
    ),
  ).action((name: string, opts: RuleOptions) => createRule(ctx, name, opts));
  ruleOptions(
    outputOptions(
      rules
        .command('update')
        .description('change the options given')
        .argument('<id>', 'rule id')
        .option('--name <name>', 'rename it')
        .option('--metric <metric>', 'another metric'),
    ),
  ).action((id: string, opts: RuleOptions) => updateRule(ctx, id, opts));
  rules
    .command('delete')
    .description('delete a rule (its open alerts are resolved)')
    .argument('<id>', 'rule id')
    .action((id: string) => deleteRule(ctx, id));
}
