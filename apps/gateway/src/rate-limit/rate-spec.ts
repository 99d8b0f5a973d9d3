import { z } from 'zod';

/** A limit as the operator writes it: `600/60s` is 600 requests per rolling 60 seconds. */
export interface RateSpec {
  limit: number;
  windowMs: number;
}

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;
const SPEC = /^(\d+)\s*\/\s*(\d+)(ms|s|m|h)$/;

/** `<count>/<window><unit>` (unit ms, s, m or h), e.g. `600/60s`, `10/1m`. */
export function parseRateSpec(text: string): RateSpec | undefined {
  const m = SPEC.exec(text.trim());
  if (!m) return undefined;
  const limit = Number(m[1]);
  const windowMs = Number(m[2]) * UNIT_MS[m[3] as keyof typeof UNIT_MS];
  return limit > 0 && windowMs > 0 ? { limit, windowMs } : undefined;
}

/** A config variable holding a RateSpec, `fallback` when unset. */
export const rateSpec = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((s, ctx) => {
      const spec = parseRateSpec(s);
      if (!spec) {
        ctx.addIssue({ code: 'custom', message: 'must be <count>/<window> with a unit, e.g. 600/60s (count and window above 0; units ms, s, m, h)' });
        return z.NEVER;
      }
      return spec;
    });
