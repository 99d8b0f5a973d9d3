import { z } from 'zod';
import { agentIdSchema } from '@fleetplane/contracts';
import { METRICS } from '../samples/metric-catalogue.js';

export const COMPARISONS = ['>', '>=', '<', '<='] as const;
export type Comparison = (typeof COMPARISONS)[number];
export type Severity = 'WARNING' | 'CRITICAL';
export type AlertState = 'FIRING' | 'ACKNOWLEDGED' | 'RESOLVED';
export type Transition = 'fired' | 'escalated' | 'acknowledged' | 'resolved';

/** `no_data`: the value is how many reporting intervals an agent has missed. */
export const NO_DATA = 'no_data';
export const RULE_METRICS = [...METRICS, NO_DATA] as const;

export interface AlertScope {
  agentIds: readonly string[];
  site: string;
  labels: Readonly<Record<string, string>>;
}

/** A rule as the evaluator sees it. */
export interface AlertRule {
  id: string;
  name: string;
  metric: string;
  comparison: Comparison;
  warning: number | null;
  critical: number | null;
  clear: number | null;
  forSeconds: number;
  scope: AlertScope;
  enabled: boolean;
  builtin: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export const isPast = (comparison: Comparison, value: number, threshold: number): boolean => {
  switch (comparison) {
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
  }
};

/** Where an open alert resolves: the clear threshold, else the warning one, else the critical one. */
export const clearThreshold = (r: Pick<AlertRule, 'clear' | 'warning' | 'critical'>): number => r.clear ?? r.warning ?? r.critical!;

const finite = z.number().finite();

/**
 * A rule's fields as a caller gives them (create, and the fields of an update), checked
 * together: at least one threshold, critical beyond warning, clear on the resolving side.
 * Field names are the proto's, so INVALID_ARGUMENT names what the caller sent.
 */
export const ruleFieldsSchema = z
  .object({
    name: z.string().trim().min(1).max(120),
    metric: z.enum(RULE_METRICS, { message: `must be one of ${RULE_METRICS.join(', ')}` }),
    comparison: z.enum(COMPARISONS, { message: `must be one of ${COMPARISONS.join(' ')}` }),
    warning: finite.nullable(),
    critical: finite.nullable(),
    clear: finite.nullable(),
    forSeconds: z
      .number()
      .int()
      .min(0)
      .max(7 * 86_400),
    scope: z.object({
      agentIds: z.array(agentIdSchema).max(10_000),
      site: z.string().max(128),
      labels: z.record(z.string().min(1).max(63), z.string().max(255)),
    }),
    enabled: z.boolean(),
  })
  .superRefine((r, ctx) => {
    if (r.warning === null && r.critical === null) ctx.addIssue({ code: 'custom', path: ['warning'], message: 'give a warning or a critical threshold' });
    if (r.warning !== null && r.critical !== null && !isPast(r.comparison, r.critical, r.warning) && r.critical !== r.warning)
      ctx.addIssue({ code: 'custom', path: ['critical'], message: `must be ${r.comparison} warning` });
    const first = r.warning ?? r.critical;
    if (r.clear !== null && first !== null && isPast(r.comparison, r.clear, first))
      ctx.addIssue({ code: 'custom', path: ['clear'], message: `must not be ${r.comparison} the ${r.warning !== null ? 'warning' : 'critical'} threshold` });
    if (r.metric === NO_DATA && !['>', '>='].includes(r.comparison))
      ctx.addIssue({ code: 'custom', path: ['comparison'], message: 'no_data counts missed intervals: use > or >=' });
  });
export type RuleFields = z.infer<typeof ruleFieldsSchema>;

/** snake_case of a field path, as the proto spells it: `forSeconds` → `for_seconds`. */
export const protoField = (path: readonly PropertyKey[]): string =>
  path.map((p) => String(p).replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)).join('.') || 'rule';
