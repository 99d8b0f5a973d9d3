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

export function parseTimeout(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1 || n > 86_400) {
    throw new InvalidArgumentError('must be a whole number of seconds between 1 and 86400');
  }
  return n;
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
