import { z } from 'zod';

/** Like `restic forget --keep-*`: how many of the newest backups, and of the newest per hour/day/…, to keep. */
export const retentionPolicySchema = z
  .object({
    keepLast: z.number().int().nonnegative().optional(),
    keepHourly: z.number().int().nonnegative().optional(),
    keepDaily: z.number().int().nonnegative().optional(),
    keepWeekly: z.number().int().nonnegative().optional(),
    keepMonthly: z.number().int().nonnegative().optional(),
    keepYearly: z.number().int().nonnegative().optional(),
  })
  .strict();
export type RetentionPolicy = z.infer<typeof retentionPolicySchema>;

export interface RetentionCandidate {
  readonly id: string;
  readonly startedAt: string;
  readonly dependsOn: readonly string[];
}

export interface RetentionDecision {
  readonly keep: Map<string, string[]>;
  readonly remove: string[];
}

type Bucket = (date: Date) => string;
const pad = (n: number) => String(n).padStart(2, '0');
const BUCKETS: Array<[keyof RetentionPolicy, string, Bucket]> = [
  ['keepHourly', 'hourly', (d) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}`],
  ['keepDaily', 'daily', (d) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`],
  ['keepWeekly', 'weekly', isoWeek],
  ['keepMonthly', 'monthly', (d) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}`],
  ['keepYearly', 'yearly', (d) => String(d.getUTCFullYear())],
];

/**
 * Which backups a policy keeps (with the reasons) and which it removes. Walking newest first, each
 * rule keeps the newest backup of each of its N most recent periods, as restic does (times in UTC).
 * A kept backup keeps every backup it depends on (an INCREMENTAL's parents, a DIFFERENTIAL's FULL),
 * so the removed ones are never needed by a kept one. An empty policy keeps everything: removing all
 * backups takes an explicit list, not a forgotten field.
 */
export function applyRetention(backups: readonly RetentionCandidate[], policy: RetentionPolicy): RetentionDecision {
  const keep = new Map<string, string[]>();
  const reason = (id: string, why: string) => keep.set(id, [...(keep.get(id) ?? []), why]);
  const newestFirst = [...backups].sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.id.localeCompare(a.id));
  const anyRule = Object.values(policy).some((n) => n !== undefined);
  if (!anyRule) {
    for (const b of newestFirst) reason(b.id, 'no retention rule');
    return { keep, remove: [] };
  }
  newestFirst.slice(0, policy.keepLast ?? 0).forEach((b) => reason(b.id, 'last'));
  for (const [field, label, bucket] of BUCKETS) {
    const count = policy[field] ?? 0;
    const seen = new Set<string>();
    for (const b of newestFirst) {
      if (seen.size >= count) break;
      const key = bucket(new Date(b.startedAt));
      if (seen.has(key)) continue;
      seen.add(key);
      reason(b.id, `${label} ${key}`);
    }
  }
  const byId = new Map(backups.map((b) => [b.id, b]));
  const pending = [...keep.keys()];
  while (pending.length > 0) {
    const kept = byId.get(pending.pop()!)!;
    for (const dependency of kept.dependsOn) {
      if (!byId.has(dependency)) continue;
      if (!keep.has(dependency)) pending.push(dependency);
      reason(dependency, `needed by ${kept.id}`);
    }
  }
  return { keep, remove: newestFirst.filter((b) => !keep.has(b.id)).map((b) => b.id) };
}

function isoWeek(date: Date): string {
  const d = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const day = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - day);
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  const week = Math.ceil((d.getTime() - yearStart) / 86_400_000 / 7 + 1 / 7);
  return `${d.getUTCFullYear()}-W${pad(week)}`;
}
