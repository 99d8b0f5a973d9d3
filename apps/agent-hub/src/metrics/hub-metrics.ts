import { Injectable } from '@nestjs/common';
import type { Counter, Gauge } from 'prom-client';
import { MetricFactory } from '@fleetplane/service-kit';
import type { EnrollOutcome } from '../access/enroll-outcome.js';
import type { AdmissionRefusalReason, AdmissionStage, ProtocolErrorReason, SessionMetrics } from '../protocol/session-ports.js';

/** The numbers an SRE watches on a hub, all `fleetplane_agent_hub_…`. */
@Injectable()
export class HubMetrics implements SessionMetrics {
  private readonly connectedAgents: Gauge;
  private readonly framesReceived: Counter<'type'>;
  private readonly protocolErrors: Counter<'reason'>;
  private readonly dispatches: Counter<'outcome'>;
  private readonly publishFailures: Counter<'kind'>;
  private readonly admissionRefusals: Counter<'reason' | 'stage'>;
  private readonly presenceFlushes: Counter<'outcome'>;
  private readonly deadInstanceSessions: Counter;
  private readonly enrollments: Counter<'outcome'>;

  constructor(metrics: MetricFactory) {
    this.connectedAgents = metrics.gauge({ name: 'connected_agents', help: 'Agent sessions open on this hub instance' });
    this.framesReceived = metrics.counter({
      name: 'frames_received_total',
      help: 'Well-formed frames received from agents, by message type',
      labelNames: ['type'] as const,
    });
    this.protocolErrors = metrics.counter({
      name: 'protocol_errors_total',
      help: 'Agent connections refused or closed for breaking the protocol, by reason',
      labelNames: ['reason'] as const,
    });
    this.dispatches = metrics.counter({
      name: 'dispatches_total',
      help: 'COMMAND dispatches handled by this instance, by outcome (accepted = written to the agent socket)',
      labelNames: ['outcome'] as const,
    });
    this.publishFailures = metrics.counter({
      name: 'publish_failures_total',
      help: 'RESULT/TELEMETRY frames that could not be stored in JetStream (the agent is asked to resend)',
      labelNames: ['kind'] as const,
    });
    this.admissionRefusals = metrics.counter({
      name: 'admission_refusals_total',
      help: 'Connections refused by admission control, by limit reached and stage (upgrade: HTTP 503 before any WebSocket; hello: close 4429)',
      labelNames: ['reason', 'stage'] as const,
    });
    this.presenceFlushes = metrics.counter({
      name: 'presence_flushes_total',
      help: 'Batched last-seen writes (one UPDATE each), by outcome',
      labelNames: ['outcome'] as const,
    });
    this.deadInstanceSessions = metrics.counter({
      name: 'dead_instance_sessions_cleared_total',
      help: 'Agent sessions cleared because the hub instance holding them stopped beating',
    });
    this.enrollments = metrics.counter({
      name: 'enrollments_total',
      help: 'POST /v1/enroll requests, by outcome (enrolled, reenrolled, or why refused)',
      labelNames: ['outcome'] as const,
    });
  }

  setConnected(n: number): void {
    this.connectedAgents.set(n);
  }
  frameReceived(type: string): void {
    this.framesReceived.inc({ type });
  }
  protocolError(reason: ProtocolErrorReason): void {
    this.protocolErrors.inc({ reason });
  }
  dispatched(outcome: 'accepted' | 'rejected' | 'superseded'): void {
    this.dispatches.inc({ outcome });
  }
  publishFailed(kind: 'result' | 'output' | 'telemetry'): void {
    this.publishFailures.inc({ kind });
  }
  admissionRefused(reason: AdmissionRefusalReason, stage: AdmissionStage): void {
    this.admissionRefusals.inc({ reason, stage });
  }
  presenceFlushed(outcome: 'ok' | 'failed'): void {
    this.presenceFlushes.inc({ outcome });
  }
  deadInstanceSessionsCleared(n: number): void {
    this.deadInstanceSessions.inc(n);
  }
  enrollment(outcome: EnrollOutcome): void {
    this.enrollments.inc({ outcome });
  }
}
