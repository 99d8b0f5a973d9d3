import type { Command as Program } from 'commander';
import type { Context } from '../context.js';
import { CliError } from '../errors.js';
import { outputOptions } from '../program/shared-options.js';
import { formatHistory, formatSummary } from './telemetry-format.js';

const STEPS = ['auto', 'raw', '1m', '1h'] as const;
type Step = (typeof STEPS)[number];
const isStep = (s: string): s is Step => (STEPS as readonly string[]).includes(s);

interface TelemetryOptions {
  from?: string;
  to?: string;
  step?: string;
  metrics?: string;
}

interface TopOptions {
  site?: string;
  label?: string;
  minutes?: string;
  watch?: boolean;
  interval?: string;
}

/** `1h`, `30m`, `7d` before now, or an RFC 3339 instant as it is. */
export function parseInstant(value: string, now = Date.now()): string {
  const rel = /^(\d+)([smhd])$/.exec(value);
  if (rel) return new Date(now - Number(rel[1]) * { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[rel[2] as 's' | 'm' | 'h' | 'd']).toISOString();
  if (!Number.isNaN(Date.parse(value)) && /^\d{4}-\d{2}-\d{2}T/.test(value)) return value;
  throw new CliError(`${value}: give an RFC 3339 time or a duration before now (30m, 6h, 7d)`);
}

export async function showTelemetry(ctx: Context, agentId: string, opts: TelemetryOptions): Promise<void> {
  if (opts.step && !isStep(opts.step)) throw new CliError(`--step: one of ${STEPS.join(', ')}`);
  const history = await (
    await ctx.client()
  ).getTelemetryHistory(agentId, {
    ...(opts.from ? { from: parseInstant(opts.from) } : {}),
    ...(opts.to ? { to: parseInstant(opts.to) } : {}),
    ...(opts.step && isStep(opts.step) ? { step: opts.step } : {}),
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
  });
  await ctx.print(history, (width) => formatHistory(history, width));
}

function parseMinutes(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 1440) throw new CliError('--minutes: a whole number from 1 to 1440');
  return n;
}

export async function showTop(ctx: Context, opts: TopOptions): Promise<void> {
  const query = {
    ...(opts.site ? { site: opts.site } : {}),
    ...(opts.label ? { label: opts.label } : {}),
    ...(opts.minutes ? { minutes: parseMinutes(opts.minutes) } : {}),
  };
  const client = await ctx.client();
  for (;;) {
    const summary = await client.getTelemetrySummary(query);
    await ctx.print(summary, () => formatSummary(summary));
    if (!opts.watch) return;
    await new Promise((r) => setTimeout(r, Number(opts.interval ?? '5') * 1000));
  }
}

/** `fleetplane telemetry <agent>` and `fleetplane top`. */
export function registerTelemetry(program: Program, ctx: Context): void {
  outputOptions(
    program.command('telemetry').description("an agent's metric history: a sparkline per metric, or the points with --json").argument('<agent>', 'agent id'),
  )
    .option('--from <time>', 'start: RFC 3339 or a duration before now (default 1h)')
    .option('--to <time>', 'end (default now)')
    .option('--step <step>', 'auto (default), raw, 1m or 1h')
    .option('--metrics <list>', 'comma-separated metric names (default all)')
    .action((agentId: string, opts: TelemetryOptions) => showTelemetry(ctx, agentId, opts));
  outputOptions(program.command('top').description('fleet CPU, memory and disk across agents over the last minutes'))
    .option('--site <site>', 'only agents of this site')
    .option('--label <key=value>', 'only agents with this label')
    .option('--minutes <n>', 'the window (default 5)')
    .option('--watch', 'refresh until interrupted')
    .option('--interval <seconds>', 'refresh interval with --watch (default 5)')
    .action((opts: TopOptions) => showTop(ctx, opts));
}
