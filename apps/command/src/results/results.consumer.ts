import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { executionUpdateSchema, streams } from '@fleetplane/contracts';
import { NatsClient } from '@fleetplane/service-kit/nats';
import { ExecutionUpdatesService } from './execution-updates.service.js';

/** Durable consumer name shared by every command instance: each update is handled once. */
export const RESULTS_CONSUMER = 'command';

/**
 * Execution progress and results from JetStream (COMMAND_RESULTS). A message is
 * acked only once applied (or knowingly ignored); a database error naks it for
 * redelivery, so no result is lost while PostgreSQL is away.
 */
@Injectable()
export class ResultsConsumer implements OnApplicationBootstrap {
  constructor(
    @Inject(NatsClient) private readonly nats: NatsClient,
    @Inject(ExecutionUpdatesService) private readonly updates: ExecutionUpdatesService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.nats.ensureStream(streams.commandResults);
    await this.nats.consumeDurable(streams.commandResults.name, RESULTS_CONSUMER, executionUpdateSchema, async (update) => {
      await this.updates.apply(update);
    });
  }
}
