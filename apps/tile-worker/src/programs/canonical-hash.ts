import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted at every level, so two spellings of the same
 * program (key order, whitespace) hash alike; array order is meaning (tile
 * order, sort keys) and is kept.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

/** The program's canonical hash: the compiled-program cache key and half of the result cache key. */
export const programHash = (program: unknown) => sha256(canonicalJson(program));
