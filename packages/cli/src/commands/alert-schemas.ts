import { z } from 'zod';
import type { Describes, Reads } from '../api/document-agreement.js';
import type { DocSchema } from '../api/document.js';

// The gateway's /alerts and /alert-rules answers, parsed, not trusted (as api/schemas.ts does for
// the rest); AlertsAgreement fails the build when one drifts from the OpenAPI document.

const instant = z.string();
const state = z.enum(['FIRING', 'ACKNOWLEDGED', 'RESOLVED']);
const severity = z.enum(['WARNING', 'CRITICAL']);

export const alertSchema = z.object({
  id: z.string(),
  ruleId: z.string(),
  ruleName: z.string(),
  agentId: z.string(),
  metric: z.string(),
  mount: z.string().nullable(),
  state,
  severity,
  openedValue: z.number(),
  lastValue: z.number(),
  openedAt: instant,
  acknowledgedAt: instant.nullable(),
  acknowledgedBy: z.string().nullable(),
  resolvedAt: instant.nullable(),
  resolvedBy: z.string().nullable(),
});
export type Alert = z.infer<typeof alertSchema>;

export const alertDetailSchema = alertSchema.extend({
  history: z.array(
    z.object({
      transition: z.enum(['fired', 'escalated', 'acknowledged', 'resolved']),
      state,
      severity,
      value: z.number().nullable(),
      by: z.string().nullable(),
      at: instant,
    }),
  ),
});
export type AlertDetail = z.infer<typeof alertDetailSchema>;

export const alertPageSchema = z.object({ alerts: z.array(alertSchema), nextPageToken: z.string().nullable() });

export const alertRuleSchema = z.object({
  id: z.string(),
  name: z.string(),
  metric: z.string(),
  comparison: z.enum(['>', '>=', '<', '<=']),
  warning: z.number().nullable(),
  critical: z.number().nullable(),
  clear: z.number().nullable(),
  forSeconds: z.number().int(),
  scope: z.object({ agentIds: z.array(z.string()), site: z.string(), labels: z.record(z.string(), z.string()) }),
  enabled: z.boolean(),
  builtin: z.boolean(),
  createdAt: instant,
  updatedAt: instant,
});
export type AlertRule = z.infer<typeof alertRuleSchema>;

export const alertRuleListSchema = z.object({ rules: z.array(alertRuleSchema) });
export const deletedAlertRuleSchema = z.object({ resolvedAlerts: z.number().int() });

export type AlertsAgreement = [
  Reads<typeof alertPageSchema, DocSchema<'AlertPage'>>,
  Describes<DocSchema<'AlertPage'>, z.output<typeof alertPageSchema>>,
  Reads<typeof alertDetailSchema, DocSchema<'AlertDetail'>>,
  Describes<DocSchema<'AlertDetail'>, z.output<typeof alertDetailSchema>>,
  Reads<typeof alertRuleSchema, DocSchema<'AlertRule'>>,
  Describes<DocSchema<'AlertRule'>, z.output<typeof alertRuleSchema>>,
  Reads<typeof alertRuleListSchema, DocSchema<'AlertRuleList'>>,
];
