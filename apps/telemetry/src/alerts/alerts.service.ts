import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { agentIdSchema } from '@fleetplane/contracts';
import { telemetryV1 } from '@fleetplane/contracts/grpc';
import { Clock, InvalidPageTokenError, PageTokenCodec, pageSize, takePage } from '@fleetplane/service-kit';
import { grpcError, GrpcStatus, invalidArgument, notFound } from '@fleetplane/service-kit/grpc';
import { NatsClient } from '@fleetplane/service-kit/nats';
import { PrismaClient, Prisma } from '../generated/prisma/client.js';
import { protoField, ruleFieldsSchema, type AlertRule, type RuleFields } from './alert-rule.js';
import { AlertRulesRepository } from './alert-rules.repository.js';
import { AlertEvaluationStore, type OpenAlert } from './alert-evaluation.store.js';
import { AlertEvents } from './alert-events.js';
import { RuleCache } from './rule-cache.js';

type AlertRow = Prisma.AlertGetPayload<object>;

const STATE = {
  [telemetryV1.AlertState.ALERT_STATE_FIRING]: 'FIRING',
  [telemetryV1.AlertState.ALERT_STATE_ACKNOWLEDGED]: 'ACKNOWLEDGED',
  [telemetryV1.AlertState.ALERT_STATE_RESOLVED]: 'RESOLVED',
} as const;
const SEVERITY = {
  [telemetryV1.AlertSeverity.ALERT_SEVERITY_WARNING]: 'WARNING',
  [telemetryV1.AlertSeverity.ALERT_SEVERITY_CRITICAL]: 'CRITICAL',
} as const;
const stateToProto = (s: string) => `ALERT_STATE_${s}` as telemetryV1.AlertState;
const severityToProto = (s: string) => `ALERT_SEVERITY_${s}` as telemetryV1.AlertSeverity;

/** (opened_at, id) of a page's last alert. */
const pageTokens = new PageTokenCodec(z.object({ at: z.coerce.date(), id: z.uuid() }), 'ListAlerts');
const uuid = z.uuid();
const iso = (d: Date | null) => (d ? d.toISOString() : '');

export function toAlertProto(a: AlertRow): telemetryV1.Alert {
  return {
    id: a.id,
    ruleId: a.ruleId,
    ruleName: a.ruleName,
    agentId: a.agentId,
    metric: a.metric,
    mount: a.mount,
    state: stateToProto(a.state),
    severity: severityToProto(a.severity),
    openedValue: a.openedValue,
    lastValue: a.lastValue,
    openedAt: a.openedAt.toISOString(),
    acknowledgedAt: iso(a.acknowledgedAt),
    acknowledgedBy: a.acknowledgedBy ?? '',
    resolvedAt: iso(a.resolvedAt),
    resolvedBy: a.resolvedBy ?? '',
  };
}

export function toRuleProto(r: AlertRule): telemetryV1.AlertRule {
  return {
    id: r.id,
    name: r.name,
    metric: r.metric,
    comparison: r.comparison,
    ...(r.warning === null ? {} : { warning: r.warning }),
    ...(r.critical === null ? {} : { critical: r.critical }),
    ...(r.clear === null ? {} : { clear: r.clear }),
    forSeconds: r.forSeconds,
    scope: { agentIds: [...r.scope.agentIds], site: r.scope.site, labels: { ...r.scope.labels } },
    enabled: r.enabled,
    builtin: r.builtin,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

const INPUT_FIELDS = ['name', 'metric', 'comparison', 'warning', 'critical', 'clear', 'forSeconds', 'scope', 'enabled'] as const;
type InputField = (typeof INPUT_FIELDS)[number];

function fieldsOf(input: telemetryV1.AlertRuleInput): RuleFields {
  return {
    name: input.name,
    metric: input.metric,
    comparison: input.comparison,
    warning: input.warning ?? null,
    critical: input.critical ?? null,
    clear: input.clear ?? null,
    forSeconds: input.forSeconds,
    scope: { agentIds: input.scope?.agentIds ?? [], site: input.scope?.site ?? '', labels: input.scope?.labels ?? {} },
    enabled: input.enabled,
  } as RuleFields;
}

function checked(f: RuleFields): RuleFields {
  const parsed = ruleFieldsSchema.safeParse(f);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw invalidArgument(protoField(issue.path), issue.message);
}

/** AlertService: reads, a person's acts (ack, resolve) and rule edits; every act publishes its transition. */
@Injectable()
export class AlertsService {
  constructor(
    private readonly db: PrismaClient,
    private readonly rulesRepo: AlertRulesRepository,
    private readonly store: AlertEvaluationStore,
    private readonly events: AlertEvents,
    private readonly cache: RuleCache,
    private readonly nats: NatsClient,
    private readonly clock: Clock,
  ) {}

  async list(req: telemetryV1.ListAlertsRequest): Promise<telemetryV1.ListAlertsResponse> {
    if (req.agentId && !agentIdSchema.safeParse(req.agentId).success) throw invalidArgument('agent_id', 'must be an agent id');
    const state = STATE[req.state as keyof typeof STATE];
    const severity = SEVERITY[req.severity as keyof typeof SEVERITY];
    const where: Prisma.AlertWhereInput = { ...(state ? { state } : {}), ...(severity ? { severity } : {}), ...(req.agentId ? { agentId: req.agentId } : {}) };
    const scope = JSON.stringify([state ?? '', severity ?? '', req.agentId]);
    if (req.pageSize < 0 || req.pageSize > 500) throw invalidArgument('page_size', 'must be 1–500 (0 for 50)');
    const size = pageSize(req.pageSize || undefined);
    let cursor: { at: Date; id: string } | undefined;
    try {
      cursor = pageTokens.decode(req.pageToken, scope);
    } catch (err) {
      if (err instanceof InvalidPageTokenError) throw invalidArgument('page_token', err.message);
      throw err;
    }
    const rows = await this.db.alert.findMany({
      where: cursor ? { AND: [where, { OR: [{ openedAt: { lt: cursor.at } }, { openedAt: cursor.at, id: { lt: cursor.id } }] }] } : where,
      orderBy: [{ openedAt: 'desc' }, { id: 'desc' }],
      take: size + 1,
    });
    const page = takePage(rows, size, (last) => ({ at: last.openedAt, id: last.id }));
    return { alerts: page.items.map(toAlertProto), nextPageToken: page.next ? pageTokens.encode(page.next, scope) : '' };
  }

  async get(alertId: string): Promise<telemetryV1.GetAlertResponse> {
    if (!uuid.safeParse(alertId).success) throw invalidArgument('alert_id', 'must be a uuid');
    const a = await this.db.alert.findUnique({ where: { id: alertId }, include: { history: { orderBy: { id: 'asc' } } } });
    if (!a) throw notFound(`alert ${alertId}`);
    return {
      alert: toAlertProto(a),
      history: a.history.map((h) => ({
        transition: h.transition,
        state: stateToProto(h.state),
        severity: severityToProto(h.severity),
        ...(h.value === null ? {} : { value: h.value }),
        by: h.by ?? '',
        at: h.at.toISOString(),
      })),
    };
  }

  /** FIRING → ACKNOWLEDGED; an acknowledged alert answers as it is; a resolved one FAILED_PRECONDITION. */
  async acknowledge(req: telemetryV1.AlertActionRequest): Promise<telemetryV1.GetAlertResponse> {
    return this.act(req, 'acknowledged', async (tx, a, at) => {
      if (a.state === 'RESOLVED') throw grpcError(GrpcStatus.FAILED_PRECONDITION, `alert ${a.id} is resolved`);
      if (a.state === 'ACKNOWLEDGED') return false;
      await tx.alert.update({ where: { id: a.id }, data: { state: 'ACKNOWLEDGED', acknowledgedAt: at, acknowledgedBy: req.by } });
      return true;
    });
  }

  /** FIRING | ACKNOWLEDGED → RESOLVED by a person; the pending condition is forgotten, so it fires again only after its `for`. */
  async resolve(req: telemetryV1.AlertActionRequest): Promise<telemetryV1.GetAlertResponse> {
    return this.act(req, 'resolved', async (tx, a, at) => {
      if (a.state === 'RESOLVED') throw grpcError(GrpcStatus.FAILED_PRECONDITION, `alert ${a.id} is already resolved`);
      await tx.alert.update({ where: { id: a.id }, data: { state: 'RESOLVED', resolvedAt: at, resolvedBy: req.by } });
      await tx.alertCondition.deleteMany({ where: { ruleId: a.ruleId, agentId: a.agentId, mount: a.mount } });
      return true;
    });
  }

  private async act(
    req: telemetryV1.AlertActionRequest,
    transition: 'acknowledged' | 'resolved',
    change: (tx: Prisma.TransactionClient, a: AlertRow, at: Date) => Promise<boolean>,
  ): Promise<telemetryV1.GetAlertResponse> {
    if (!uuid.safeParse(req.alertId).success) throw invalidArgument('alert_id', 'must be a uuid');
    if (!req.by) throw invalidArgument('by', 'name who acts');
    const at = this.clock.now();
    const changed = await this.db.$transaction(async (tx) => {
      // The row lock orders this against the evaluator resolving the same alert.
      const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id::text FROM alerts WHERE id = ${req.alertId}::uuid FOR UPDATE`;
      if (locked.length === 0) throw notFound(`alert ${req.alertId}`);
      const a = (await tx.alert.findUnique({ where: { id: req.alertId } }))!;
      if (!(await change(tx, a, at))) return null;
      const state = transition === 'resolved' ? 'RESOLVED' : 'ACKNOWLEDGED';
      await tx.alertHistory.create({ data: { alertId: a.id, transition, state, severity: a.severity, value: null, by: req.by, at } });
      return { a, state } as const;
    });
    if (changed) {
      const { a, state } = changed;
      const alert: OpenAlert = {
        id: a.id,
        ruleId: a.ruleId,
        ruleName: a.ruleName,
        agentId: a.agentId,
        metric: a.metric,
        mount: a.mount,
        state: 'FIRING',
        severity: a.severity,
      };
      this.events.publish([{ transition, alert, severity: a.severity, state, value: null, at: at.getTime() }], req.by);
    }
    return this.get(req.alertId);
  }

  async countOpen(): Promise<telemetryV1.CountOpenAlertsResponse> {
    return this.store.countOpen();
  }

  async listRules(): Promise<telemetryV1.ListAlertRulesResponse> {
    return { rules: (await this.rulesRepo.all()).map(toRuleProto) };
  }

  async createRule(input: telemetryV1.AlertRuleInput): Promise<telemetryV1.AlertRule> {
    const fields = checked(fieldsOf(input));
    const rule = await this.uniqueName(() => this.rulesRepo.create(fields));
    this.changed(rule.id);
    return toRuleProto(rule);
  }

  async updateRule(req: telemetryV1.UpdateAlertRuleRequest): Promise<telemetryV1.AlertRule> {
    if (!uuid.safeParse(req.ruleId).success) throw invalidArgument('rule_id', 'must be a uuid');
    const unknown = [...req.fields, ...req.unset].find((f) => !(INPUT_FIELDS as readonly string[]).includes(f));
    if (unknown !== undefined) throw invalidArgument('fields', `${JSON.stringify(unknown)} is not a rule field`);
    const badUnset = req.unset.find((f) => !['warning', 'critical', 'clear'].includes(f));
    if (badUnset !== undefined) throw invalidArgument('unset', `only warning, critical and clear can be unset, not ${badUnset}`);
    const current = await this.rulesRepo.find(req.ruleId);
    if (!current) throw notFound(`alert rule ${req.ruleId}`);
    const given = req.set ? fieldsOf(req.set) : undefined;
    const next: RuleFields = { ...current, scope: { ...current.scope, agentIds: [...current.scope.agentIds] } } as RuleFields;
    for (const f of req.fields as InputField[]) (next as Record<string, unknown>)[f] = given?.[f];
    for (const f of req.unset) (next as Record<string, unknown>)[f] = null;
    const fields = checked(next);
    const rule = await this.uniqueName(() => this.rulesRepo.update(req.ruleId, fields));
    if (current.enabled && !rule.enabled) await this.resolveOpenOf(rule.id, 'rule disabled');
    this.changed(rule.id);
    return toRuleProto(rule);
  }

  async deleteRule(req: telemetryV1.DeleteAlertRuleRequest): Promise<telemetryV1.DeleteAlertRuleResponse> {
    if (!uuid.safeParse(req.ruleId).success) throw invalidArgument('rule_id', 'must be a uuid');
    if (!(await this.rulesRepo.find(req.ruleId))) throw notFound(`alert rule ${req.ruleId}`);
    const resolved = await this.resolveOpenOf(req.ruleId, req.by || 'rule deleted');
    // Conditions go with the rule (ON DELETE CASCADE); alerts stay, with the rule's name.
    await this.db.alertRule.delete({ where: { id: req.ruleId } });
    this.changed(req.ruleId);
    return { resolvedAlerts: resolved };
  }

  /** A rule that stops (deleted, disabled) resolves its open alerts, each with its event. */
  private async resolveOpenOf(ruleId: string, by: string): Promise<number> {
    const open = await this.db.alert.findMany({ where: { ruleId, state: { not: 'RESOLVED' } } });
    for (const a of open) {
      await this.resolve({ alertId: a.id, by }).catch((err: unknown) => {
        // Resolved meanwhile by the evaluator or a person: nothing left to do.
        if ((err as { code?: number }).code !== GrpcStatus.FAILED_PRECONDITION) throw err;
      });
    }
    return open.length;
  }

  private async uniqueName<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') throw grpcError(GrpcStatus.ALREADY_EXISTS, 'name: a rule has this name');
      throw err;
    }
  }

  /** This instance reloads at once; the others on the event (or within their TTL if it is lost). */
  private changed(ruleId: string): void {
    this.cache.invalidate();
    try {
      this.nats.emit('alert_rules.changed', { ruleId, at: this.clock.now().toISOString() });
    } catch {
      // NATS away: the other instances reload within ALERT_RULES_TTL_MS.
    }
  }
}
