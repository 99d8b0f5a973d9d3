import { Injectable } from '@nestjs/common';
import { PrismaClient, type Prisma } from '../generated/prisma/client.js';
import type { AlertRule, Comparison, RuleFields } from './alert-rule.js';

type Row = Prisma.AlertRuleGetPayload<object>;

export const toRule = (r: Row): AlertRule => ({
  id: r.id,
  name: r.name,
  metric: r.metric,
  comparison: r.comparison as Comparison,
  warning: r.warning,
  critical: r.critical,
  clear: r.clear,
  forSeconds: r.forSeconds,
  scope: { agentIds: r.scopeAgentIds, site: r.scopeSite, labels: (r.scopeLabels ?? {}) as Record<string, string> },
  enabled: r.enabled,
  builtin: r.builtin,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

const toData = (f: RuleFields) => ({
  name: f.name,
  metric: f.metric,
  comparison: f.comparison,
  warning: f.warning,
  critical: f.critical,
  clear: f.clear,
  forSeconds: f.forSeconds,
  scopeAgentIds: [...f.scope.agentIds],
  scopeSite: f.scope.site,
  scopeLabels: { ...f.scope.labels },
  enabled: f.enabled,
});

/** The alert_rules table. */
@Injectable()
export class AlertRulesRepository {
  constructor(private readonly db: PrismaClient) {}

  async all(): Promise<AlertRule[]> {
    return (await this.db.alertRule.findMany({ orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] })).map(toRule);
  }

  async find(id: string): Promise<AlertRule | null> {
    const r = await this.db.alertRule.findUnique({ where: { id } });
    return r ? toRule(r) : null;
  }

  async create(f: RuleFields): Promise<AlertRule> {
    return toRule(await this.db.alertRule.create({ data: toData(f) }));
  }

  async update(id: string, f: RuleFields): Promise<AlertRule> {
    return toRule(await this.db.alertRule.update({ where: { id }, data: toData(f) }));
  }
}
