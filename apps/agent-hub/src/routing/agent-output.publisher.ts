import { Injectable } from '@nestjs/common';
import {
  subjects,
  type ExecutionOutput,
  type ExecutionUpdate,
  type OutputFrame,
  type ResultFrame,
  type TelemetryFrame,
  type TelemetrySample,
} from '@fleetplane/contracts';
import { contextFromCarrier, inSpan, SpanKind } from '@fleetplane/observability';
import { Clock } from '@fleetplane/service-kit';
import { NatsClient } from '@fleetplane/service-kit/nats';
import { HubMetrics } from '../metrics/hub-metrics.js';

/**
 * Stores what agents report in JetStream (a lost result or sample is lost
 * data). The agent id always comes from the authenticated socket, never from
 * the frame.
 */
@Injectable()
export class AgentOutputPublisher {
  constructor(
    private readonly nats: NatsClient,
    private readonly metrics: HubMetrics,
    private readonly clock: Clock,
  ) {}

  async result(agentId: string, f: ResultFrame): Promise<void> {
    const update: ExecutionUpdate = {
      executionId: f.executionId,
      agentId,
      status: f.status,
      ...(f.exitCode !== undefined ? { exitCode: f.exitCode } : {}),
      ...(f.stdout !== undefined ? { stdout: f.stdout } : {}),
      ...(f.stderr !== undefined ? { stderr: f.stderr } : {}),
      ...(f.truncated !== undefined ? { truncated: f.truncated } : {}),
      ...(f.error !== undefined ? { error: f.error } : {}),
      ...(f.outputBytes !== undefined ? { outputBytes: f.outputBytes } : {}),
      at: this.clock.now().toISOString(),
    };
    const attributes = { 'fleetplane.agent_id': agentId, 'fleetplane.execution_id': f.executionId, 'fleetplane.status': f.status };
    await inSpan('agent RESULT receive', { kind: SpanKind.CONSUMER, parent: contextFromCarrier(f.trace), attributes }, async () => {
      try {
        await this.nats.publishDurable(subjects.executionUpdates(f.executionId), update);
      } catch (err) {
        this.metrics.publishFailed('result');
        throw err;
      }
    });
  }

  /** A piece of streamed output, stored in COMMAND_OUTPUT (command keeps it; the gateway's live stream follows it). */
  async output(agentId: string, f: OutputFrame): Promise<void> {
    const chunk: ExecutionOutput = { executionId: f.executionId, agentId, stream: f.stream, seq: f.seq, offset: f.offset, data: f.data };
    try {
      await this.nats.publishDurable(subjects.executionOutput(f.executionId), chunk);
    } catch (err) {
      this.metrics.publishFailed('output');
      throw err;
    }
  }

  async telemetry(agentId: string, f: TelemetryFrame): Promise<void> {
    const sample: TelemetrySample = { agentId, takenAt: f.ts, ...f.sample };
    try {
      await this.nats.publishDurable(subjects.telemetry(agentId), sample);
    } catch (err) {
      this.metrics.publishFailed('telemetry');
      throw err;
    }
  }
}
