import { BadGatewayException, BadRequestException, ConflictException, Injectable } from '@nestjs/common';
import { telemetryV1 } from '@fleetplane/contracts/grpc';
import { GrpcStatus, InjectGrpcClient, UpstreamError, type GrpcClient } from '@fleetplane/service-kit/grpc';
import { AuditService } from '../audit/audit.service.js';
import { failureDetails } from '../audit/failure-details.js';
import { actorId, type Caller } from '../auth/principal.js';
import { fieldError } from '../http/field-error.js';
import { severityToProto, stateToProto, toAlertDetailView, toAlertRuleView, toAlertView } from './alert-view.js';
import type {
  AlertDetailView,
  AlertPage,
  AlertRuleList,
  AlertRuleView,
  CreateAlertRuleBody,
  DeletedAlertRule,
  ListAlertsQuery,
  UpdateAlertRuleBody,
} from './alerts.schemas.js';

export const TELEMETRY_ALERTS = 'telemetry-alerts';

const THRESHOLDS = ['warning', 'critical', 'clear'] as const;

/** telemetry names fields as the proto does (`for_seconds`); the REST body in camelCase. */
function restError(err: unknown): unknown {
  if (!(err instanceof UpstreamError)) return err;
  if (err.code === GrpcStatus.INVALID_ARGUMENT) {
    const m = /^([a-z_]+)((?:\.[\w-]+)*): (.+)$/s.exec(err.details);
    if (m) return new BadRequestException(fieldError(m[1]!.replace(/_([a-z])/g, (_s, c: string) => c.toUpperCase()) + m[2]!, m[3]!));
  }
  // Acknowledging or resolving a resolved alert.
  if (err.code === GrpcStatus.FAILED_PRECONDITION) return new ConflictException(err.details);
  if (err.code === GrpcStatus.ALREADY_EXISTS) return new ConflictException(err.details);
  return err;
}

/** Alerts and alert rules, from telemetry's AlertService; every act of a person audited. */
@Injectable()
export class AlertsService {
  constructor(
    @InjectGrpcClient(TELEMETRY_ALERTS) private readonly alerts: GrpcClient<telemetryV1.AlertServiceClient>,
    private readonly audit: AuditService,
  ) {}

  async list(q: ListAlertsQuery): Promise<AlertPage> {
    const res = await this.call(() =>
      this.alerts.call('listAlerts', {
        state: stateToProto(q.state),
        severity: severityToProto(q.severity),
        agentId: q.agentId ?? '',
        pageSize: q.pageSize,
        pageToken: q.pageToken ?? '',
      }),
    );
    return { alerts: (res.alerts ?? []).map(toAlertView), nextPageToken: res.nextPageToken || null };
  }

  async get(id: string): Promise<AlertDetailView> {
    return this.detail(await this.call(() => this.alerts.call('getAlert', { alertId: id })));
  }

  acknowledge(caller: Caller, id: string): Promise<AlertDetailView> {
    return this.audited(caller, { action: 'alert.acknowledge', target: id }, async () =>
      this.detail(await this.alerts.call('acknowledgeAlert', { alertId: id, by: actorId(caller.principal) })),
    );
  }

  resolve(caller: Caller, id: string): Promise<AlertDetailView> {
    return this.audited(caller, { action: 'alert.resolve', target: id }, async () =>
      this.detail(await this.alerts.call('resolveAlert', { alertId: id, by: actorId(caller.principal) })),
    );
  }

  async rules(): Promise<AlertRuleList> {
    const res = await this.call(() => this.alerts.call('listAlertRules', {}));
    return { rules: (res.rules ?? []).map(toAlertRuleView) };
  }

  createRule(caller: Caller, body: CreateAlertRuleBody): Promise<AlertRuleView> {
    return this.audited(caller, { action: 'alert_rule.create', target: body.name, details: { metric: body.metric } }, async () =>
      toAlertRuleView(await this.alerts.call('createAlertRule', { ...toInput(body), by: actorId(caller.principal) })),
    );
  }

  updateRule(caller: Caller, id: string, body: UpdateAlertRuleBody): Promise<AlertRuleView> {
    const fields = Object.keys(body).filter((k) => body[k as keyof UpdateAlertRuleBody] !== null || !THRESHOLDS.includes(k as never));
    const unset = THRESHOLDS.filter((k) => body[k] === null);
    return this.audited(caller, { action: 'alert_rule.update', target: id, details: { fields: Object.keys(body).join(',') } }, async () =>
      toAlertRuleView(
        await this.alerts.call('updateAlertRule', {
          ruleId: id,
          set: {
            ...toInput({ ...body, warning: body.warning ?? null, critical: body.critical ?? null, clear: body.clear ?? null }),
            by: actorId(caller.principal),
          },
          fields,
          unset: [...unset],
        }),
      ),
    );
  }

  deleteRule(caller: Caller, id: string): Promise<DeletedAlertRule> {
    return this.audited(caller, { action: 'alert_rule.delete', target: id }, async () => {
      const res = await this.alerts.call('deleteAlertRule', { ruleId: id, by: actorId(caller.principal) });
      return { resolvedAlerts: res.resolvedAlerts ?? 0 };
    });
  }

  private detail(res: telemetryV1.GetAlertResponse): AlertDetailView {
    if (!res.alert) throw new BadGatewayException('telemetry returned no alert');
    return toAlertDetailView(res);
  }

  private async call<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw restError(err);
    }
  }

  /** Runs a person's act and writes its audit entry, success or failure. */
  private async audited<T>(caller: Caller, entry: { action: string; target: string; details?: Record<string, string> }, run: () => Promise<T>): Promise<T> {
    try {
      const result = await this.call(run);
      await this.audit.recordFor(caller, { ...entry, outcome: 'success' });
      return result;
    } catch (err) {
      await this.audit.recordFor(caller, { ...entry, outcome: 'failed', details: { ...entry.details, ...failureDetails(err) } });
      throw err;
    }
  }
}

type RuleInputFields = Partial<Omit<CreateAlertRuleBody, 'warning' | 'critical' | 'clear'>> & Pick<CreateAlertRuleBody, 'warning' | 'critical' | 'clear'>;

/** The REST body as the proto's AlertRuleInput (unset thresholds left out). */
function toInput(b: RuleInputFields): Omit<telemetryV1.AlertRuleInput, 'by'> {
  return {
    name: b.name ?? '',
    metric: b.metric ?? '',
    comparison: b.comparison ?? '',
    ...(b.warning === null ? {} : { warning: b.warning }),
    ...(b.critical === null ? {} : { critical: b.critical }),
    ...(b.clear === null ? {} : { clear: b.clear }),
    forSeconds: b.forSeconds ?? 0,
    scope: b.scope ? { agentIds: b.scope.agentIds, site: b.scope.site, labels: b.scope.labels } : { agentIds: [], site: '', labels: {} },
    enabled: b.enabled ?? false,
  };
}
