import { Injectable } from '@nestjs/common';
import type { Counter, Gauge, Histogram } from 'prom-client';
import { MetricFactory } from '@fleetplane/service-kit';
import type { Severity, Transition } from './alert-rule.js';

/** `fleetplane_telemetry_alerts_…` and the rule evaluation time. */
@Injectable()
export class AlertMetrics {
  private readonly firing: Gauge<'state' | 'severity'>;
  private readonly transitions: Counter<'transition' | 'severity'>;
  private readonly evaluation: Histogram;

  constructor(metrics: MetricFactory) {
    this.firing = metrics.gauge({
      name: 'alerts_open',
      help: 'Open alerts in the database by state (firing, acknowledged) and severity; every instance reads the same count',
      labelNames: ['state', 'severity'] as const,
    });
    this.transitions = metrics.counter({
      name: 'alert_transitions_total',
      help: 'Alert transitions this instance committed, by transition (fired, escalated, acknowledged, resolved) and severity',
      labelNames: ['transition', 'severity'] as const,
    });
    this.evaluation = metrics.histogram({
      name: 'alert_evaluation_seconds',
      help: "Evaluating one stored batch against the rules: the evaluator's transaction (locks, state read, writes)",
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    });
  }

  /** Every (state, severity) is set, zeros included, so a series that emptied reads 0. */
  open(counts: readonly { state: string; severity: string; n: number }[]): void {
    for (const state of ['FIRING', 'ACKNOWLEDGED'])
      for (const severity of ['WARNING', 'CRITICAL'])
        this.firing.set(
          { state: state.toLowerCase(), severity: severity.toLowerCase() },
          counts.find((c) => c.state === state && c.severity === severity)?.n ?? 0,
        );
  }

  transition(t: Transition, severity: Severity): void {
    this.transitions.inc({ transition: t, severity: severity.toLowerCase() });
  }

  evaluated(seconds: number): void {
    this.evaluation.observe(seconds);
  }
}
