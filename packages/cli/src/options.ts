import { InvalidArgumentError } from 'commander';
import { SCOPES, type Scope } from './api/schemas.js';

// Argument parsers for commander: a bad value is InvalidArgumentError, which commander turns
// into a usage error naming the option (exit 2).

/** "a,b" or several operands: agent ids, without empties or repeats. */
export function parseTargets(values: string[]): string[] {
  const ids = values
    .flatMap((v) => v.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  if (ids.length === 0) throw new InvalidArgumentError('name at least one agent');
  return [...new Set(ids)];
}

const SECONDS_PER_UNIT: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** "90", "90s", "10m", "1h", "2d" as whole seconds between 1 and `max`. */
export function parseSeconds(value: string, max: number): number {
  const m = /^(\d+)([smhd]?)$/.exec(value);
  const n = m ? Number(m[1]) * SECONDS_PER_UNIT[m[2] || 's']! : NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > max) {
    throw new InvalidArgumentError(`must be a duration from 1s to ${max} s, like 30, 30s, 10m, 1h or 2d`);
  }
  return n;
}

/** `--timeout`: how long the program may run on the agent, at most a day. */
export const parseTimeout = (value: string): number => parseSeconds(value, 86_400);

/** `--ttl`: how long an execution waits for an offline agent, at most a week. */
export const parseTtl = (value: string): number => parseSeconds(value, 7 * 86_400);

/** `--max-concurrency 10` or `10%`: a count of targets, or a percentage of them (the gateway takes both). */
export function parseTargetLimit(min: number) {
  return (value: string): number | string => {
    if (/^(100|[1-9]\d?)%$/.test(value)) return value;
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > 100_000) throw new InvalidArgumentError(`must be a count from ${min} to 100000 or a percentage from 1% to 100%`);
    return n;
  };
}

/** Repeatable `--agent id` / `--capability c` (comma lists too), without empties or repeats. */
export function collectList(value: string, previous: string[] = []): string[] {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) throw new InvalidArgumentError('must not be empty');
  return [...new Set([...previous, ...items])];
}

/** `--exit-code 3`: a whole number (negative for a signal, as the agent reports it). */
export function parseExitCode(value: string): number {
  if (!/^-?\d+$/.test(value)) throw new InvalidArgumentError('must be a whole number');
  return Number(value);
}

export function parseLimit(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 500) throw new InvalidArgumentError('must be a whole number between 1 and 500');
  return n;
}

/** Repeatable `--label k=v`. */
export function collectLabel(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError(`"${value}" is not key=value`);
  const key = value.slice(0, eq);
  if (key in previous) throw new InvalidArgumentError(`label ${key} given twice`);
  return { ...previous, [key]: value.slice(eq + 1) };
}

/** `--params '{"all":true}'`: a JSON object. */
export function parseParamsJson(value: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (err) {
    throw new InvalidArgumentError(`not valid JSON (${(err as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new InvalidArgumentError('must be a JSON object');
  return parsed as Record<string, unknown>;
}

/** Repeatable `--scope agents:read` (or a comma list); each one must be a known scope. */
export function collectScope(value: string, previous: Scope[] = []): Scope[] {
  const scopes = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const s of scopes) if (!(SCOPES as readonly string[]).includes(s)) throw new InvalidArgumentError(`"${s}" is not a scope (${SCOPES.join(', ')})`);
  return [...new Set([...previous, ...(scopes as Scope[])])];
}

const DURATION_UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/**
 * `--expires 30d` (a duration from now: m, h, d or w) or an ISO 8601 instant
 * (`2027-01-01T00:00:00Z`), as the ISO string the gateway takes; it must lie in the future.
 */
export function parseExpires(value: string, now: number = Date.now()): string {
  const duration = /^(\d+)([mhdw])$/.exec(value);
  if (duration) {
    const ms = Number(duration[1]) * DURATION_UNIT_MS[duration[2]!]!;
    if (ms <= 0 || !Number.isSafeInteger(ms)) throw new InvalidArgumentError('a duration must be more than 0');
    return new Date(now + ms).toISOString();
  }
  // Date.parse takes more than ISO 8601 ("Jan 1"): insist on the date-time form with a zone.
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(value) || Number.isNaN(Date.parse(value))) {
    throw new InvalidArgumentError('give a duration like 30d, 12h, 90m, 2w or an ISO 8601 time like 2027-01-01T00:00:00Z');
  }
  const at = Date.parse(value);
  if (at <= now) throw new InvalidArgumentError(`${value} is not in the future`);
  return new Date(at).toISOString();
}
