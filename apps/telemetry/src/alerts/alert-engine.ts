import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import type { TelemetrySample } from '@fleetplane/contracts';
import { SampleIngestService } from '../ingest/sample-ingest.service.js';
import { metricValues } from '../samples/metric-catalogue.js';
import { evaluate, type Condition } from './alert-evaluator.js';
import { NO_DATA, type Severity } from './alert-rule.js';
import { AlertEvaluationStore, emptyChanges, stateKey, type Changes, type EvaluationState, type OpenAlert } from './alert-evaluation.store.js';
import { AlertEvents } from './alert-events.js';
import { AlertMetrics } from './alert-metrics.js';
import { RuleCache, type ActiveRule } from './rule-cache.js';
import { ruleValues } from './rule-values.js';

/**
 * Incremental evaluation: every batch the ingest committed is evaluated against the enabled
 * rules, for the batch's agents only (never a scan of stored samples). Runs after the batch is
 * acked: a failure here is logged and does not hand samples back (the next sample evaluates
 * again from the shared state).
 */
@Injectable()
export class AlertEngine implements OnModuleInit {
  private readonly log = new Logger(AlertEngine.name);

  constructor(
    private readonly ingest: SampleIngestService,
    private readonly rules: RuleCache,
    private readonly store: AlertEvaluationStore,
    private readonly events: AlertEvents,
    private readonly metrics: AlertMetrics,
  ) {}

  onModuleInit(): void {
    this.ingest.onStored((samples) => this.onSamples(samples));
  }

  async onSamples(samples: readonly TelemetrySample[]): Promise<void> {
    const rules = await this.rules.active();
    const byAgent = new Map<string, TelemetrySample[]>();
    for (const s of samples) {
      const list = byAgent.get(s.agentId) ?? [];
      list.push(s);
      byAgent.set(s.agentId, list);
    }
    for (const list of byAgent.values()) list.sort((a, b) => Date.parse(a.takenAt) - Date.parse(b.takenAt));
    const lastSeen = [...byAgent.entries()].map(([agentId, list]) => {
      const n = list.length;
      const newest = Date.parse(list[n - 1]!.takenAt);
      return { agentId, at: new Date(newest), intervalMs: n > 1 ? newest - Date.parse(list[n - 2]!.takenAt) : null };
    });
    const started = performance.now();
    // Only agents whose values could change something take the locked evaluation: those with a
    // value past a threshold, and those with state (pending condition, open alert) in the database.
    const hot = new Set<string>();
    const cold: string[] = [];
    for (const [agentId, list] of byAgent) {
      if (mayChangeState(rules, agentId, list)) hot.add(agentId);
      else cold.push(agentId);
    }
    for (const agentId of await this.store.recordSeen(lastSeen, cold)) hot.add(agentId);
    const evaluated = new Map([...byAgent].filter(([agentId]) => hot.has(agentId)));
    const committed = await this.store.evaluate([...evaluated.keys()], (state) => decide(rules, evaluated, state));
    this.metrics.evaluated((performance.now() - started) / 1000);
    this.events.publish(committed);
    if (committed.length > 0)
      this.log.log(`${committed.length} alert transition(s): ${committed.map((c) => `${c.transition} ${c.alert.ruleName}@${c.alert.agentId}`).join(', ')}`);
  }
}

/**
 * Whether any of an agent's samples could change alert state for an agent that has none (no
 * pending condition, no open alert): a value the evaluator would keep a condition for or fire on.
 */
export function mayChangeState(rules: readonly ActiveRule[], agentId: string, samples: readonly TelemetrySample[]): boolean {
  let catalogue: ReturnType<typeof metricValues>[] | undefined;
  for (const active of rules) {
    const rule = active.rule;
    if (rule.metric === NO_DATA || !active.applies(agentId)) continue;
    catalogue ??= samples.map((s) => metricValues(s));
    for (const [i, s] of samples.entries()) {
      for (const { value } of ruleValues(rule.metric, s, catalogue[i])) {
        const ev = evaluate(rule, null, null, value, Date.parse(s.takenAt));
        if (ev.condition !== null || ev.outcome.transition !== null) return true;
      }
    }
  }
  return false;
}

/** The batch's samples, agent by agent and oldest first, against each rule in scope. */
export function decide(rules: readonly ActiveRule[], byAgent: ReadonlyMap<string, readonly TelemetrySample[]>, state: EvaluationState): Changes {
  const changes = emptyChanges();
  /** Fired by this batch: not in the database yet. */
  const firedNow = new Map<string, { severity: Severity; index: number }>();
  for (const [agentId, samples] of byAgent) {
    const values = samples.map((s) => ({ at: Date.parse(s.takenAt), sample: s, catalogue: metricValues(s) }));
    for (const active of rules) {
      const rule = active.rule;
      if (!active.applies(agentId)) continue;
      if (rule.metric === NO_DATA) {
        // The agent reports again.
        const open = state.open.get(stateKey(rule.id, agentId, ''));
        if (open) changes.resolve.push({ alert: open, value: 0, at: values[values.length - 1]!.at });
        continue;
      }
      for (const v of values) {
        for (const { mount, value } of ruleValues(rule.metric, v.sample, v.catalogue)) {
          const key = stateKey(rule.id, agentId, mount);
          const inDb: OpenAlert | undefined = state.open.get(key);
          const pending = firedNow.get(key);
          const open = inDb ? { severity: inDb.severity } : pending ? { severity: pending.severity } : null;
          const before: Condition | null = state.conditions.get(key) ?? null;
          const ev = evaluate(rule, before, open, value, v.at);
          if (ev.condition) {
            state.conditions.set(key, ev.condition);
            changes.upsertConditions.set(key, { ruleId: rule.id, agentId, mount, condition: ev.condition });
            changes.deleteConditions.delete(key);
          } else if (before) {
            state.conditions.delete(key);
            changes.upsertConditions.delete(key);
            changes.deleteConditions.set(key, { ruleId: rule.id, agentId, mount });
          }
          const o = ev.outcome;
          if (o.transition === 'fired') {
            firedNow.set(key, { severity: o.severity, index: changes.fire.length });
            changes.fire.push({ ruleId: rule.id, ruleName: rule.name, agentId, metric: rule.metric, mount, severity: o.severity, value, at: v.at });
          } else if (o.transition === 'escalated') {
            if (inDb) {
              changes.escalate.push({ alert: inDb, value, at: v.at });
              state.open.set(key, { ...inDb, severity: 'CRITICAL' });
            } else if (pending) {
              // Fired and escalated within one batch: it opens critical.
              changes.fire[pending.index]!.severity = 'CRITICAL';
              pending.severity = 'CRITICAL';
            }
          } else if (o.transition === 'resolved') {
            if (inDb) {
              changes.resolve.push({ alert: inDb, value, at: v.at });
              state.open.delete(key);
              changes.lastValues.delete(inDb.id);
            } else if (pending) {
              // Opened and cleared within one batch: neither is kept.
              changes.fire.splice(pending.index, 1);
              firedNow.delete(key);
              for (const p of firedNow.values()) if (p.index > pending.index) p.index--;
            }
          } else if (inDb) {
            changes.lastValues.set(inDb.id, value);
          }
        }
      }
    }
  }
  return changes;
}
