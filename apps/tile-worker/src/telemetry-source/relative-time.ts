const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const RELATIVE = /^-(\d{1,9})([smhd])$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * `-1h`, `-30m`, `-7d`, `-90s` (before `nowMs`) or an RFC 3339 date-time, as epoch ms;
 * `fallback` for an empty value. Throws a message saying what is accepted.
 */
export function parseInstant(value: string, nowMs: number, fallback: number): number {
  if (value === '') return fallback;
  const rel = RELATIVE.exec(value);
  if (rel) return nowMs - Number(rel[1]) * UNIT_MS[rel[2]!]!;
  const ms = RFC3339.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) throw new Error('must be an RFC 3339 date-time or relative to now (-90s, -30m, -1h, -7d)');
  return ms;
}
