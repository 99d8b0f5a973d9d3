import { CronExpressionParser } from 'cron-parser';
import { backupV1 } from '@fleetplane/contracts/grpc';
import { invalidArgument } from '@fleetplane/service-kit/grpc';
import { fromProtoType } from '../backups/backup.mapper.js';
import type { Policy } from '../generated/prisma/client.js';
import { POLICY_TRIGGERS } from './migration-trigger.js';
import type { PolicyFields } from './policy-store.js';

const NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const KEEPS = ['keepLast', 'keepHourly', 'keepDaily', 'keepWeekly', 'keepMonthly', 'keepYearly'] as const;
export const POLICY_FIELDS = ['name', 'cron', 'trigger', 'type', 'sources', 'retention', 'enabled'] as const;
type Field = (typeof POLICY_FIELDS)[number];

/**
 * A policy from the wire, checked field by field (INVALID_ARGUMENT naming the field): a lower-case
 * name, a cron expression BullMQ's parser accepts (5 fields, or 6 with seconds; UTC), a known
 * trigger, at least one of the two, a type, configured sources, non-negative keep-* counts.
 */
export function policyFields(p: backupV1.Policy | undefined, configuredSources: readonly string[], only?: readonly Field[], current?: Policy): PolicyFields {
  if (!p) throw invalidArgument('policy', 'is required');
  const has = (f: Field) => !only || only.includes(f);
  const out: PolicyFields = current
    ? { ...current }
    : {
        name: '',
        cron: null,
        trigger: null,
        type: 'FULL',
        sources: [],
        keepLast: 0,
        keepHourly: 0,
        keepDaily: 0,
        keepWeekly: 0,
        keepMonthly: 0,
        keepYearly: 0,
        enabled: true,
      };
  if (has('name')) {
    if (!NAME.test(p.name)) throw invalidArgument('policy.name', 'must be lower-case letters, digits, - or _ (at most 63, starting with a letter or digit)');
    out.name = p.name;
  }
  if (has('cron')) {
    const cron = p.cron.trim();
    if (cron) {
      try {
        CronExpressionParser.parse(cron, { tz: 'UTC' });
      } catch (err) {
        throw invalidArgument('policy.cron', `not a cron expression (${(err as Error).message}); e.g. "0 3 * * *" for 03:00 UTC daily`);
      }
      if (cron.split(/\s+/).length < 5) throw invalidArgument('policy.cron', 'needs 5 fields (minute hour day month weekday), or 6 with seconds first');
    }
    out.cron = cron || null;
  }
  if (has('trigger')) {
    if (p.trigger && !(POLICY_TRIGGERS as readonly string[]).includes(p.trigger))
      throw invalidArgument('policy.trigger', `must be one of ${POLICY_TRIGGERS.join(', ')} (or empty)`);
    out.trigger = p.trigger || null;
  }
  if (has('type')) {
    const type = fromProtoType(p.type);
    if (!type) throw invalidArgument('policy.type', 'must be one of BACKUP_TYPE_FULL, _INCREMENTAL, _DIFFERENTIAL, _SNAPSHOT');
    out.type = type;
  }
  if (has('sources')) {
    const unknown = p.sources.filter((s) => !configuredSources.includes(s));
    if (unknown.length > 0) throw invalidArgument('policy.sources', `unknown source(s) ${unknown.join(', ')}; configured: ${configuredSources.join(', ')}`);
    if (new Set(p.sources).size !== p.sources.length) throw invalidArgument('policy.sources', 'names a source twice');
    out.sources = p.sources;
  }
  if (has('retention')) {
    for (const k of KEEPS) {
      const n = p.retention?.[k] ?? 0;
      if (!Number.isInteger(n) || n < 0 || n > 100_000) throw invalidArgument(`policy.retention.${k}`, 'must be an integer 0-100000 (0: rule unused)');
      out[k] = n;
    }
  }
  if (has('enabled')) out.enabled = p.enabled;
  if (!out.cron && !out.trigger) throw invalidArgument('policy.cron', 'a policy needs a cron expression, a trigger, or both');
  return out;
}

export function toProtoPolicy(p: Policy): backupV1.Policy {
  return {
    id: p.id,
    name: p.name,
    cron: p.cron ?? '',
    trigger: p.trigger ?? '',
    type: backupV1.BackupType[`BACKUP_TYPE_${p.type}`],
    sources: p.sources,
    retention: {
      keepLast: p.keepLast,
      keepHourly: p.keepHourly,
      keepDaily: p.keepDaily,
      keepWeekly: p.keepWeekly,
      keepMonthly: p.keepMonthly,
      keepYearly: p.keepYearly,
    },
    enabled: p.enabled,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}
