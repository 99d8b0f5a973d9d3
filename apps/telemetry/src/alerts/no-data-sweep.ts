import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { Clock, InjectConfig, PeriodicTask } from '@fleetplane/service-kit';
import type { TelemetryConfig } from '../config.js';
import { evaluateNoData } from './alert-evaluator.js';
import { NO_DATA } from './alert-rule.js';
import { AlertEvaluationStore, emptyChanges, stateKey } from './alert-evaluation.store.js';
import { AlertEvents } from './alert-events.js';
import { AlertMetrics } from './alert-metrics.js';
import { RuleCache } from './rule-cache.js';

/**
 * "No data": every ALERT_NO_DATA_SWEEP_MS, the agents whose newest sample (agent_last_seen,
 * written by the evaluator's transaction) is more intervals old than a no_data rule allows.
 * One instance per sweep (a try-lock; the others skip it). Only agents heard from within
 * ALERT_NO_DATA_MAX_SILENCE_HOURS count as "reporting". Also refreshes the open-alerts gauge.
 */
@Injectable()
export class NoDataSweep implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger(NoDataSweep.name);
  private readonly task: PeriodicTask<void>;

  constructor(
    private readonly rules: RuleCache,
    private readonly store: AlertEvaluationStore,
    private readonly events: AlertEvents,
    private readonly metrics: AlertMetrics,
    private readonly clock: Clock,
    @InjectConfig() private readonly config: TelemetryConfig,
  ) {
    this.task = new PeriodicTask(() => this.run(), config.ALERT_NO_DATA_SWEEP_MS);
  }

  onApplicationBootstrap(): void {
    this.task.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.task.stop();
  }

  private async run(): Promise<void> {
    try {
      await this.sweep();
      await this.refreshGauge();
    } catch (err) {
      this.log.warn(`no-data sweep failed, next in ${this.config.ALERT_NO_DATA_SWEEP_MS} ms: ${(err as Error).message}`);
    }
  }

  async sweep(): Promise<void> {
    const rules = (await this.rules.active()).filter((r) => r.rule.metric === NO_DATA);
    if (rules.length === 0) return;
    const now = this.clock.nowMs();
    const least = Math.min(...rules.map((r) => Math.min(r.rule.warning ?? Infinity, r.rule.critical ?? Infinity)));
    const committed = await this.store.sweep(async (tx, apply) => {
      const silentSql = (only: boolean) =>
        `SELECT agent_id, (extract(epoch FROM $1::timestamptz - last_at) * 1000 / coalesce(nullif(interval_ms, 0), $2))::float8 AS missed
         FROM agent_last_seen
         WHERE last_at > $3::timestamptz AND extract(epoch FROM $1::timestamptz - last_at) * 1000 / coalesce(nullif(interval_ms, 0), $2) >= $4
         ${only ? 'AND agent_id = ANY($5::text[])' : ''}`;
      const params = [
        new Date(now),
        this.config.ALERT_NO_DATA_DEFAULT_INTERVAL_MS,
        new Date(now - this.config.ALERT_NO_DATA_MAX_SILENCE_HOURS * 3_600_000),
        least,
      ];
      const candidates = await tx.$queryRawUnsafe<{ agent_id: string }[]>(silentSql(false), ...params);
      if (candidates.length === 0) return [];
      // The same per-agent locks as a batch's evaluation, then read again: a sample stored
      // meanwhile (which resolves the alert) is seen, so the sweep never re-opens behind it.
      const ids = candidates.map((c) => c.agent_id);
      await this.store.lockAgents(tx, ids);
      const silent = await tx.$queryRawUnsafe<{ agent_id: string; missed: number }[]>(silentSql(true), ...params, ids);
      if (silent.length === 0) return [];
      const open = new Map((await this.store.openAlerts(tx, null, NO_DATA)).map((a) => [stateKey(a.ruleId, a.agentId, a.mount), a]));
      const changes = emptyChanges();
      for (const { agent_id: agentId, missed } of silent) {
        for (const active of rules) {
          const rule = active.rule;
          if (!active.applies(agentId)) continue;
          const existing = open.get(stateKey(rule.id, agentId, ''));
          const o = evaluateNoData(rule, existing ?? null, missed);
          if (o.transition === 'fired')
            changes.fire.push({ ruleId: rule.id, ruleName: rule.name, agentId, metric: NO_DATA, mount: '', severity: o.severity, value: missed, at: now });
          else if (o.transition === 'escalated' && existing) changes.escalate.push({ alert: existing, value: missed, at: now });
        }
      }
      return apply(changes);
    });
    if (committed && committed.length > 0) this.events.publish(committed);
  }

  private async refreshGauge(): Promise<void> {
    this.metrics.open(await this.store.countOpenByState());
  }
}
