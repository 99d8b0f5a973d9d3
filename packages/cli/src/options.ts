import { InvalidArgumentError } from 'commander';

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
