import { Injectable, Logger } from '@nestjs/common';
import type { AlertEvent } from '@fleetplane/contracts';
import { NatsClient } from '@fleetplane/service-kit/nats';
import { AlertMetrics } from './alert-metrics.js';
import type { Committed } from './alert-evaluation.store.js';

/**
 * Publishes committed transitions on fleet.events.alert.<transition> (core NATS, like every
 * event: the gateway relays them to its stream). Published after the commit, so a subscriber
 * never sees a transition the database does not have.
 */
@Injectable()
export class AlertEvents {
  private readonly log = new Logger(AlertEvents.name);

  constructor(
    private readonly nats: NatsClient,
    private readonly metrics: AlertMetrics,
  ) {}

  publish(transitions: readonly Committed[], by: string | null = null): void {
    for (const t of transitions) {
      const event: AlertEvent = {
        alertId: t.alert.id,
        ruleId: t.alert.ruleId,
        ruleName: t.alert.ruleName,
        agentId: t.alert.agentId,
        metric: t.alert.metric,
        mount: t.alert.mount,
        state: t.state,
        severity: t.severity,
        transition: t.transition,
        value: t.value,
        by,
        at: new Date(t.at).toISOString(),
      };
      this.metrics.transition(t.transition, t.severity);
      try {
        this.nats.emit(`alert.${t.transition}`, event);
      } catch (err) {
        // NATS away: the transition is committed and readable over gRPC; only the live push is lost.
        this.log.warn(`alert.${t.transition} for ${t.alert.id} not published: ${(err as Error).message}`);
      }
    }
  }
}
