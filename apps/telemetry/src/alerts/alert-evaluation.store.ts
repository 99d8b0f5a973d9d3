import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { PrismaClient } from '../generated/prisma/client.js';
import type { Condition } from './alert-evaluator.js';
import type { Severity, Transition } from './alert-rule.js';

/** An open (FIRING or ACKNOWLEDGED) alert, as the evaluator needs it. */
export interface OpenAlert {
  id: string;
  ruleId: string;
  ruleName: string;
  agentId: string;
  metric: string;
  mount: string;
  state: 'FIRING' | 'ACKNOWLEDGED';
  severity: Severity;
}

export const stateKey = (ruleId: string, agentId: string, mount: string) => `${ruleId}\u0000${agentId}\u0000${mount}`;

export interface EvaluationState {
  conditions: Map<string, Condition>;
  open: Map<string, OpenAlert>;
}

export interface NewAlert {
  ruleId: string;
  ruleName: string;
  agentId: string;
  metric: string;
  mount: string;
  severity: Severity;
  value: number;
  at: number;
}

/** What one evaluation decided, written in its transaction. */
export interface Changes {
  upsertConditions: Map<string, { ruleId: string; agentId: string; mount: string; condition: Condition }>;
  deleteConditions: Map<string, { ruleId: string; agentId: string; mount: string }>;
  fire: NewAlert[];
  escalate: { alert: OpenAlert; value: number; at: number }[];
  resolve: { alert: OpenAlert; value: number | null; at: number }[];
  /** The newest value seen for each open alert that stays open. */
  lastValues: Map<string, number>;
}

export const emptyChanges = (): Changes => ({
  upsertConditions: new Map(),
  deleteConditions: new Map(),
  fire: [],
  escalate: [],
  resolve: [],
  lastValues: new Map(),
});

/** A committed transition, to publish. */
export interface Committed {
  transition: Transition;
  alert: OpenAlert | (NewAlert & { id: string; state: 'FIRING' });
  severity: Severity;
  state: 'FIRING' | 'ACKNOWLEDGED' | 'RESOLVED';
  value: number | null;
  at: number;
}

const LOCK_NAMESPACE = 7001;

/**
 * The evaluator's shared state in PostgreSQL. Each evaluation (of the batch's agents that
 * `recordSeen` and `mayChangeState` leave in) runs in one transaction that first takes an advisory lock per agent (in key order, so two instances never deadlock):
 * instances that receive samples of the same agent at once evaluate them one after the other,
 * each seeing what the other committed. The partial unique index on open alerts per
 * (rule, agent, mount) is the backstop: an insert that would duplicate one does nothing.
 */
@Injectable()
export class AlertEvaluationStore {
  constructor(private readonly db: PrismaClient) {}

  /**
   * Without the agents' locks: records when each agent of the batch was last seen (for the
   * no-data sweep) and returns which of `candidates` have state (a pending condition or an open
   * alert), i.e. need the locked evaluation even though no value of theirs is past a threshold.
   *
   * Why this needs no lock: an agent with no state whose values are all below every threshold
   * and clear changes nothing when evaluated (the evaluator writes no condition for such a value).
   * Skipping it is what a locked evaluation would do if it ran just before whichever transaction
   * creates state for that agent next: the outcome is one the locks allow. The last-seen upsert
   * is committed before the read, so a no-data sweep that re-reads it under the lock afterwards
   * sees the agent reporting.
   */
  async recordSeen(lastSeen: { agentId: string; at: Date; intervalMs: number | null }[], candidates: readonly string[]): Promise<Set<string>> {
    if (lastSeen.length > 0) {
      await this.db.$executeRawUnsafe(
        `INSERT INTO agent_last_seen AS s (agent_id, last_at, interval_ms)
         SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::int[]) ORDER BY 1
         ON CONFLICT (agent_id) DO UPDATE SET
           interval_ms = coalesce(excluded.interval_ms,
             CASE WHEN excluded.last_at > s.last_at THEN (extract(epoch FROM excluded.last_at - s.last_at) * 1000)::int ELSE s.interval_ms END),
           last_at = greatest(s.last_at, excluded.last_at)`,
        lastSeen.map((l) => l.agentId),
        lastSeen.map((l) => l.at),
        lastSeen.map((l) => l.intervalMs),
      );
    }
    if (candidates.length === 0) return new Set();
    const rows = await this.db.$queryRawUnsafe<{ agent_id: string }[]>(
      `SELECT agent_id FROM alert_conditions WHERE agent_id = ANY($1::text[])
       UNION SELECT agent_id FROM alerts WHERE state <> 'RESOLVED' AND agent_id = ANY($1::text[])`,
      [...candidates],
    );
    return new Set(rows.map((r) => r.agent_id));
  }

  /** The locked evaluation of these agents (see the class comment); `recordSeen` has recorded them. */
  async evaluate(agentIds: readonly string[], decide: (state: EvaluationState) => Changes): Promise<Committed[]> {
    if (agentIds.length === 0) return [];
    return this.db.$transaction(
      async (tx) => {
        const ids = [...agentIds];
        await this.lockAgents(tx, ids);
        const conditionRows = await tx.$queryRawUnsafe<
          { rule_id: string; agent_id: string; mount: string; breach_since: Date; critical_since: Date | null; last_at: Date }[]
        >(`SELECT rule_id::text, agent_id, mount, breach_since, critical_since, last_at FROM alert_conditions WHERE agent_id = ANY($1::text[])`, ids);
        const openRows = await this.openAlerts(tx, ids);
        const state: EvaluationState = {
          conditions: new Map(
            conditionRows.map((r) => [
              stateKey(r.rule_id, r.agent_id, r.mount),
              { breachSince: r.breach_since.getTime(), criticalSince: r.critical_since?.getTime() ?? null, lastAt: r.last_at.getTime() },
            ]),
          ),
          open: new Map(openRows.map((a) => [stateKey(a.ruleId, a.agentId, a.mount), a])),
        };
        const changes = decide(state);
        return this.apply(tx, changes);
      },
      { timeout: 30_000, maxWait: 30_000 },
    );
  }

  async openAlerts(tx: Pick<PrismaClient, '$queryRawUnsafe'>, agentIds: readonly string[] | null, metric?: string): Promise<OpenAlert[]> {
    const rows = await tx.$queryRawUnsafe<
      {
        id: string;
        rule_id: string;
        rule_name: string;
        agent_id: string;
        metric: string;
        mount: string;
        state: 'FIRING' | 'ACKNOWLEDGED';
        severity: Severity;
      }[]
    >(
      `SELECT id::text, rule_id::text, rule_name, agent_id, metric, mount, state::text AS state, severity::text AS severity FROM alerts
       WHERE state <> 'RESOLVED' ${agentIds ? 'AND agent_id = ANY($1::text[])' : ''} ${metric ? `AND metric = ${agentIds ? '$2' : '$1'}` : ''}`,
      ...(agentIds ? [[...agentIds]] : []),
      ...(metric ? [metric] : []),
    );
    return rows.map((r) => ({
      id: r.id,
      ruleId: r.rule_id,
      ruleName: r.rule_name,
      agentId: r.agent_id,
      metric: r.metric,
      mount: r.mount,
      state: r.state,
      severity: r.severity,
    }));
  }

  /** One advisory lock per agent, in key order (so two transactions never wait on each other in a cycle), until the commit. */
  async lockAgents(tx: Pick<PrismaClient, '$queryRawUnsafe'>, agentIds: readonly string[]): Promise<void> {
    await tx.$queryRawUnsafe(
      `SELECT count(pg_advisory_xact_lock(${LOCK_NAMESPACE}, k)) FROM (SELECT DISTINCT hashtext(a) AS k FROM unnest($1::text[]) a ORDER BY k) s`,
      [...agentIds],
    );
  }

  /** Open alerts by severity (CountOpenAlerts). */
  async countOpen(): Promise<{ warning: number; critical: number }> {
    const rows = await this.countOpenByState();
    const of = (sev: Severity) => rows.filter((r) => r.severity === sev).reduce((n, r) => n + r.n, 0);
    return { warning: of('WARNING'), critical: of('CRITICAL') };
  }

  /** Open alerts by state and severity (the gauge). */
  async countOpenByState(): Promise<{ state: 'FIRING' | 'ACKNOWLEDGED'; severity: Severity; n: number }[]> {
    return this.db.$queryRawUnsafe<{ state: 'FIRING' | 'ACKNOWLEDGED'; severity: Severity; n: number }[]>(
      `SELECT state::text AS state, severity::text AS severity, count(*)::int AS n FROM alerts WHERE state <> 'RESOLVED' GROUP BY 1, 2`,
    );
  }

  /** For the no-data sweep: in one transaction, under a lock only one instance gets per sweep. */
  async sweep<T>(run: (tx: Pick<PrismaClient, '$queryRawUnsafe'>, apply: (c: Changes) => Promise<Committed[]>) => Promise<T>): Promise<T | null> {
    return this.db.$transaction(
      async (tx) => {
        const [got] = await tx.$queryRawUnsafe<{ ok: boolean }[]>(`SELECT pg_try_advisory_xact_lock(${LOCK_NAMESPACE}, -1) AS ok`);
        if (!got?.ok) return null;
        return run(tx, (c) => this.apply(tx, c));
      },
      { timeout: 30_000, maxWait: 30_000 },
    );
  }

  private async apply(tx: Pick<PrismaClient, '$queryRawUnsafe' | '$executeRawUnsafe'>, c: Changes): Promise<Committed[]> {
    const committed: Committed[] = [];
    const ups = [...c.upsertConditions.values()];
    if (ups.length > 0) {
      await tx.$executeRawUnsafe(
        `INSERT INTO alert_conditions (rule_id, agent_id, mount, breach_since, critical_since, last_at)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::timestamptz[])
         ON CONFLICT (rule_id, agent_id, mount) DO UPDATE SET breach_since = excluded.breach_since, critical_since = excluded.critical_since, last_at = excluded.last_at`,
        ups.map((u) => u.ruleId),
        ups.map((u) => u.agentId),
        ups.map((u) => u.mount),
        ups.map((u) => new Date(u.condition.breachSince)),
        ups.map((u) => (u.condition.criticalSince === null ? null : new Date(u.condition.criticalSince))),
        ups.map((u) => new Date(u.condition.lastAt)),
      );
    }
    const dels = [...c.deleteConditions.values()];
    if (dels.length > 0) {
      await tx.$executeRawUnsafe(
        `DELETE FROM alert_conditions c USING unnest($1::uuid[], $2::text[], $3::text[]) AS d(rule_id, agent_id, mount)
         WHERE c.rule_id = d.rule_id AND c.agent_id = d.agent_id AND c.mount = d.mount`,
        dels.map((d) => d.ruleId),
        dels.map((d) => d.agentId),
        dels.map((d) => d.mount),
      );
    }
    for (const f of c.fire) {
      const id = randomUUID();
      const at = new Date(f.at);
      const rows = await tx.$queryRawUnsafe<{ id: string }[]>(
        `INSERT INTO alerts (id, rule_id, rule_name, agent_id, metric, mount, state, severity, opened_value, last_value, opened_at)
         VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6, 'FIRING', $7::"AlertSeverity", $8, $8, $9)
         ON CONFLICT (rule_id, agent_id, mount) WHERE state <> 'RESOLVED' DO NOTHING RETURNING id::text`,
        id,
        f.ruleId,
        f.ruleName,
        f.agentId,
        f.metric,
        f.mount,
        f.severity,
        f.value,
        at,
      );
      if (rows.length === 0) continue;
      await this.history(tx, id, 'fired', 'FIRING', f.severity, f.value, null, at);
      committed.push({ transition: 'fired', alert: { ...f, id, state: 'FIRING' }, severity: f.severity, state: 'FIRING', value: f.value, at: f.at });
    }
    for (const e of c.escalate) {
      const at = new Date(e.at);
      const n = await tx.$executeRawUnsafe(
        `UPDATE alerts SET severity = 'CRITICAL', last_value = $2 WHERE id = $1::uuid AND state <> 'RESOLVED' AND severity = 'WARNING'`,
        e.alert.id,
        e.value,
      );
      if (n === 0) continue;
      await this.history(tx, e.alert.id, 'escalated', e.alert.state, 'CRITICAL', e.value, null, at);
      committed.push({ transition: 'escalated', alert: e.alert, severity: 'CRITICAL', state: e.alert.state, value: e.value, at: e.at });
    }
    for (const r of c.resolve) {
      const at = new Date(r.at);
      const n = await tx.$executeRawUnsafe(
        `UPDATE alerts SET state = 'RESOLVED', resolved_at = $2, last_value = coalesce($3, last_value) WHERE id = $1::uuid AND state <> 'RESOLVED'`,
        r.alert.id,
        at,
        r.value,
      );
      if (n === 0) continue;
      await this.history(tx, r.alert.id, 'resolved', 'RESOLVED', r.alert.severity, r.value, null, at);
      committed.push({ transition: 'resolved', alert: r.alert, severity: r.alert.severity, state: 'RESOLVED', value: r.value, at: r.at });
    }
    const last = [...c.lastValues.entries()];
    if (last.length > 0) {
      await tx.$executeRawUnsafe(
        `UPDATE alerts a SET last_value = v.value FROM unnest($1::uuid[], $2::float8[]) AS v(id, value) WHERE a.id = v.id AND a.state <> 'RESOLVED'`,
        last.map(([id]) => id),
        last.map(([, v]) => v),
      );
    }
    return committed;
  }

  async history(
    tx: Pick<PrismaClient, '$executeRawUnsafe'>,
    alertId: string,
    transition: Transition,
    state: string,
    severity: Severity,
    value: number | null,
    by: string | null,
    at: Date,
  ): Promise<void> {
    await tx.$executeRawUnsafe(
      `INSERT INTO alert_history (alert_id, transition, state, severity, value, by, at) VALUES ($1::uuid, $2, $3::"AlertState", $4::"AlertSeverity", $5, $6, $7)`,
      alertId,
      transition,
      state,
      severity,
      value,
      by,
      at,
    );
  }
}
