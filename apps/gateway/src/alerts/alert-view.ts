import { telemetryV1 } from '@fleetplane/contracts/grpc';
import type { AlertDetailView, AlertRuleView, AlertView } from './alerts.schemas.js';

const stateOf = (s: string) => s.replace(/^ALERT_STATE_/, '') as AlertView['state'];
const severityOf = (s: string) => s.replace(/^ALERT_SEVERITY_/, '') as AlertView['severity'];
const orNull = (s: string | undefined) => (s ? s : null);

export const stateToProto = (s: AlertView['state'] | undefined) =>
  s ? (`ALERT_STATE_${s}` as telemetryV1.AlertState) : telemetryV1.AlertState.ALERT_STATE_UNSPECIFIED;
export const severityToProto = (s: AlertView['severity'] | undefined) =>
  s ? (`ALERT_SEVERITY_${s}` as telemetryV1.AlertSeverity) : telemetryV1.AlertSeverity.ALERT_SEVERITY_UNSPECIFIED;

export function toAlertView(a: telemetryV1.Alert): AlertView {
  return {
    id: a.id,
    ruleId: a.ruleId,
    ruleName: a.ruleName,
    agentId: a.agentId,
    metric: a.metric,
    mount: orNull(a.mount),
    state: stateOf(a.state),
    severity: severityOf(a.severity),
    openedValue: a.openedValue ?? 0,
    lastValue: a.lastValue ?? 0,
    openedAt: a.openedAt,
    acknowledgedAt: orNull(a.acknowledgedAt),
    acknowledgedBy: orNull(a.acknowledgedBy),
    resolvedAt: orNull(a.resolvedAt),
    resolvedBy: orNull(a.resolvedBy),
  };
}

export function toAlertDetailView(res: telemetryV1.GetAlertResponse): AlertDetailView {
  return {
    ...toAlertView(res.alert!),
    history: (res.history ?? []).map((h) => ({
      transition: h.transition as AlertDetailView['history'][number]['transition'],
      state: stateOf(h.state),
      severity: severityOf(h.severity),
      value: h.value ?? null,
      by: orNull(h.by),
      at: h.at,
    })),
  };
}

export function toAlertRuleView(r: telemetryV1.AlertRule): AlertRuleView {
  return {
    id: r.id,
    name: r.name,
    metric: r.metric,
    comparison: r.comparison as AlertRuleView['comparison'],
    warning: r.warning ?? null,
    critical: r.critical ?? null,
    clear: r.clear ?? null,
    forSeconds: r.forSeconds ?? 0,
    scope: { agentIds: r.scope?.agentIds ?? [], site: r.scope?.site ?? '', labels: r.scope?.labels ?? {} },
    enabled: r.enabled ?? false,
    builtin: r.builtin ?? false,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}
