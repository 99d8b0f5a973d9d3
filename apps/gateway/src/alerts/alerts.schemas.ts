import { z } from 'zod';
import { agentIdSchema } from '@fleetplane/contracts';
import { TELEMETRY_METRICS } from '../fleet-telemetry/telemetry.schemas.js';

// /alerts and /alert-rules. The views (alert-view.ts) are inferred from these, so the document
// cannot drift from what the routes answer.

export const ALERT_STATES = ['FIRING', 'ACKNOWLEDGED', 'RESOLVED'] as const;
export const ALERT_SEVERITIES = ['WARNING', 'CRITICAL'] as const;
export const ALERT_TRANSITIONS = ['fired', 'escalated', 'acknowledged', 'resolved'] as const;
/** Telemetry's metric catalogue, and `no_data` (its value: reporting intervals missed). */
export const RULE_METRICS = [...TELEMETRY_METRICS, 'no_data'] as const;
export const COMPARISONS = ['>', '>=', '<', '<='] as const;

export const alertIdParam = z.uuid({ message: 'must be an alert id (uuid)' });
export const alertRuleIdParam = z.uuid({ message: 'must be an alert rule id (uuid)' });

export const listAlertsQuery = z.object({
  state: z.enum(ALERT_STATES).optional(),
  severity: z.enum(ALERT_SEVERITIES).optional(),
  agentId: agentIdSchema.optional(),
  pageSize: z.coerce.number().int().min(1).max(500).default(50),
  pageToken: z.string().max(512).optional(),
});
export type ListAlertsQuery = z.infer<typeof listAlertsQuery>;

const threshold = z.number().finite().nullable();

const scope = z
  .strictObject({
    agentIds: z.array(agentIdSchema).max(10_000).default([]),
    site: z.string().max(128).default(''),
    labels: z.record(z.string().min(1).max(63), z.string().max(255)).default({}),
  })
  .describe("which agents (AND-ed); all empty: every agent. A site or labels are resolved through agent-hub's registry");

const ruleFields = {
  name: z.string().trim().min(1).max(120),
  metric: z.enum(RULE_METRICS).describe('disk_percent is evaluated per mount; no_data counts the reporting intervals an agent missed'),
  comparison: z.enum(COMPARISONS),
  warning: threshold.describe('null: no warning level'),
  critical: threshold.describe('null: no critical level'),
  clear: threshold.describe('an open alert resolves only once no longer past this (hysteresis); null: the warning threshold (else critical)'),
  forSeconds: z.number().int().min(0).max(604_800).describe('how long the value must stay past a threshold (sample time) before the alert fires or escalates'),
  scope,
  enabled: z.boolean(),
};

export const createAlertRuleBody = z.strictObject({
  ...ruleFields,
  warning: ruleFields.warning.default(null),
  critical: ruleFields.critical.default(null),
  clear: ruleFields.clear.default(null),
  forSeconds: ruleFields.forSeconds.default(0),
  scope: scope.default({ agentIds: [], site: '', labels: {} }),
  enabled: ruleFields.enabled.default(true),
});
export type CreateAlertRuleBody = z.infer<typeof createAlertRuleBody>;

export const updateAlertRuleBody = z
  .strictObject({
    name: ruleFields.name.optional(),
    metric: ruleFields.metric.optional(),
    comparison: ruleFields.comparison.optional(),
    warning: ruleFields.warning.optional(),
    critical: ruleFields.critical.optional(),
    clear: ruleFields.clear.optional(),
    forSeconds: ruleFields.forSeconds.optional(),
    scope: scope.optional(),
    enabled: ruleFields.enabled.optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'give at least one field to change', path: ['body'] })
  .describe('only the fields given change; null clears warning, critical or clear');
export type UpdateAlertRuleBody = z.infer<typeof updateAlertRuleBody>;

const at = z.iso.datetime();

export const alertView = z.object({
  id: z.uuid(),
  ruleId: z.uuid(),
  ruleName: z.string(),
  agentId: z.string(),
  metric: z.string(),
  mount: z.string().nullable().describe('the mount of a per-mount disk alert'),
  state: z.enum(ALERT_STATES),
  severity: z.enum(ALERT_SEVERITIES),
  openedValue: z.number(),
  lastValue: z.number().describe('the newest value evaluated while it was open'),
  openedAt: at,
  acknowledgedAt: at.nullable(),
  acknowledgedBy: z.string().nullable().describe('user or API key id'),
  resolvedAt: at.nullable(),
  resolvedBy: z.string().nullable().describe('null when it resolved by itself (below the clear threshold)'),
});

export const alertDetailView = alertView.extend({
  history: z
    .array(
      z.object({
        transition: z.enum(ALERT_TRANSITIONS),
        state: z.enum(ALERT_STATES),
        severity: z.enum(ALERT_SEVERITIES),
        value: z.number().nullable(),
        by: z.string().nullable().describe('null when the evaluator did it'),
        at,
      }),
    )
    .describe('every transition, oldest first'),
});

export const alertPage = z.object({
  alerts: z.array(alertView).describe('newest first'),
  nextPageToken: z.string().nullable().describe('pass back as pageToken for the next page; null on the last'),
});

export const alertRuleView = z.object({
  id: z.uuid(),
  name: z.string(),
  metric: z.string(),
  comparison: z.enum(COMPARISONS),
  warning: z.number().nullable(),
  critical: z.number().nullable(),
  clear: z.number().nullable(),
  forSeconds: z.number().int().min(0),
  scope: z.object({ agentIds: z.array(z.string()), site: z.string(), labels: z.record(z.string(), z.string()) }),
  enabled: z.boolean(),
  builtin: z.boolean().describe('one of the seeded defaults; editable like any other'),
  createdAt: at,
  updatedAt: at,
});

export const alertRuleList = z.object({ rules: z.array(alertRuleView).describe('oldest first') });
export const deletedAlertRule = z.object({ resolvedAlerts: z.number().int().min(0).describe('its open alerts, resolved by the deletion') });

export type AlertView = z.infer<typeof alertView>;
export type AlertDetailView = z.infer<typeof alertDetailView>;
export type AlertPage = z.infer<typeof alertPage>;
export type AlertRuleView = z.infer<typeof alertRuleView>;
export type AlertRuleList = z.infer<typeof alertRuleList>;
export type DeletedAlertRule = z.infer<typeof deletedAlertRule>;
