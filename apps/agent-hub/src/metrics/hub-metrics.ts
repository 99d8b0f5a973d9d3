import { Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { metricsRegistry } from '@fleetplane/observability';
import type { ProtocolErrorReason, SessionMetrics } from '../protocol/session-ports.js';

const connectedAgents = new Gauge({
  name: 'fleetplane_agent_hub_connected_agents',
  help: 'Agent sessions open on this hub instance',
  registers: [metricsRegistry],
});
const framesReceived = new Counter({
  name: 'fleetplane_agent_hub_frames_received_total',
  help: 'Well-formed frames received from agents, by message type',
  labelNames: ['type'] as const,
  registers: [metricsRegistry],
});
const protocolErrors = new Counter({
  name: 'fleetplane_agent_hub_protocol_errors_total',
  help: 'Agent connections refused or closed for breaking the protocol, by reason',
  labelNames: ['reason'] as const,
  registers: [metricsRegistry],
});
const dispatches = new Counter({
  name: 'fleetplane_agent_hub_dispatches_total',
  help: 'COMMAND dispatches handled by this instance, by outcome (accepted = written to the agent socket)',
  labelNames: ['outcome'] as const,
  registers: [metricsRegistry],
});
const publishFailures = new Counter({
  name: 'fleetplane_agent_hub_publish_failures_total',
  help: 'RESULT/TELEMETRY frames that could not be stored in JetStream (the agent is asked to resend)',
  labelNames: ['kind'] as const,
  registers: [metricsRegistry],
});

/** The numbers an SRE watches on a hub. */
@Injectable()
export class HubMetrics implements SessionMetrics {
  setConnected(n: number): void {
    connectedAgents.set(n);
  }
  frameReceived(type: string): void {
    framesReceived.inc({ type });
  }
  protocolError(reason: ProtocolErrorReason): void {
    protocolErrors.inc({ reason });
  }
  dispatched(outcome: 'accepted' | 'rejected' | 'superseded'): void {
    dispatches.inc({ outcome });
  }
  publishFailed(kind: 'result' | 'telemetry'): void {
    publishFailures.inc({ kind });
  }
}
