import { clearThreshold, isPast, type AlertRule, type Severity } from './alert-rule.js';

/** A (rule, agent, mount) whose value is past a threshold and since when. */
export interface Condition {
  breachSince: number;
  criticalSince: number | null;
  /** The newest sample evaluated (ms). */
  lastAt: number;
}

export interface OpenAlertView {
  severity: Severity;
}

export type Outcome = { transition: 'fired'; severity: Severity } | { transition: 'escalated' } | { transition: 'resolved' } | { transition: null };

export interface Evaluation {
  /** The condition to keep (null: delete it). */
  condition: Condition | null;
  outcome: Outcome;
}

type Thresholds = Pick<AlertRule, 'comparison' | 'warning' | 'critical' | 'clear' | 'forSeconds'>;

/**
 * One sample's value against one rule, given what is pending and what is open. Pure: the
 * caller loads the state, applies the result and publishes the transition.
 *
 * - Past warning (or critical) for `forSeconds` of sample time → `fired`, at the severity whose
 *   threshold has held that long.
 * - Open at warning and past critical for `forSeconds` → `escalated` (the same alert).
 * - Open and no longer past the clear threshold (`> 80, clear 75`: at 75 or below) → `resolved`. Between clear and warning
 *   (hysteresis) the alert stays open, so a value hovering at the threshold does not flap.
 * - Not yet fired and back under warning → the pending condition is forgotten.
 * - A sample not newer than the last one evaluated is ignored (redelivery, out of order).
 */
export function evaluate(rule: Thresholds, condition: Condition | null, open: OpenAlertView | null, value: number, atMs: number): Evaluation {
  if (condition && atMs <= condition.lastAt) return { condition, outcome: { transition: null } };
  const forMs = rule.forSeconds * 1000;
  const critical = rule.critical !== null && isPast(rule.comparison, value, rule.critical);
  const warning = critical || (rule.warning !== null && isPast(rule.comparison, value, rule.warning));
  if (warning) {
    const next: Condition = {
      breachSince: condition?.breachSince ?? atMs,
      criticalSince: critical ? (condition?.criticalSince ?? atMs) : null,
      lastAt: atMs,
    };
    const criticalHeld = next.criticalSince !== null && atMs - next.criticalSince >= forMs;
    // A rule with only a critical threshold: its breach is the critical one.
    const warningHeld = rule.warning !== null && atMs - next.breachSince >= forMs;
    if (!open) {
      if (criticalHeld) return { condition: next, outcome: { transition: 'fired', severity: 'CRITICAL' } };
      if (warningHeld) return { condition: next, outcome: { transition: 'fired', severity: 'WARNING' } };
      return { condition: next, outcome: { transition: null } };
    }
    if (open.severity === 'WARNING' && criticalHeld) return { condition: next, outcome: { transition: 'escalated' } };
    return { condition: next, outcome: { transition: null } };
  }
  if (!open) return { condition: null, outcome: { transition: null } };
  if (!isPast(rule.comparison, value, clearThreshold(rule))) {
    return { condition: null, outcome: { transition: 'resolved' } };
  }
  // In the hysteresis band: still open; no longer past critical.
  return {
    condition: { breachSince: condition?.breachSince ?? atMs, criticalSince: null, lastAt: atMs },
    outcome: { transition: null },
  };
}

/**
 * "No data": `missed` intervals since the agent's last sample. Fires (or escalates) once past
 * a threshold; resolving is the batch's job, when a sample arrives.
 */
export function evaluateNoData(rule: Pick<AlertRule, 'comparison' | 'warning' | 'critical'>, open: OpenAlertView | null, missed: number): Outcome {
  const critical = rule.critical !== null && isPast(rule.comparison, missed, rule.critical);
  const warning = critical || (rule.warning !== null && isPast(rule.comparison, missed, rule.warning));
  if (!warning) return { transition: null };
  if (!open) return { transition: 'fired', severity: critical ? 'CRITICAL' : 'WARNING' };
  if (open.severity === 'WARNING' && critical) return { transition: 'escalated' };
  return { transition: null };
}
