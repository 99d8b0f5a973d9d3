import { Injectable, type OnModuleInit } from '@nestjs/common';
import { COMMAND_OUTPUT_MAX_AGE_SECONDS, streams } from '@fleetplane/contracts';
import { NatsClient } from '@fleetplane/service-kit/nats';

/**
 * The JetStream streams AgentOutputPublisher writes results and samples to,
 * ensured at start-up (idempotent: every instance may do it) so the first
 * frame of the first agent has somewhere to go.
 */
@Injectable()
export class OutputStreams implements OnModuleInit {
  constructor(private readonly nats: NatsClient) {}

  async onModuleInit(): Promise<void> {
    await this.nats.ensureStream(streams.commandResults);
    await this.nats.ensureStream(streams.telemetry);
    await this.nats.ensureStream(streams.commandOutput, COMMAND_OUTPUT_MAX_AGE_SECONDS);
  }
}
