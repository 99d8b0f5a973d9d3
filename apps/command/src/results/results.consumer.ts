import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { executionUpdateSchema, streams } from '@fleetplane/contracts';
import { NatsClient } from '@fleetplane/service-kit/nats';
import { ExecutionUpdatesService } from './execution-updates.service.js';

/** Durable consumer name shared by every command instance: each update is handled once. */
export const RESULTS_CONSUMER = 'command';
/** Most updates applied in one batch (two statements); a busy consumer fills it, an idle one sends one at a time. */
export const RESULTS_BATCH = 500;

/**
 * Execution progress and results from JetStream (COMMAND_RESULTS), in batches:
 * whatever arrived while the previous batch was written is read and written
 * together. A batch is acked only once applied (or knowingly ignored); a
 * database error redelivers it with a growing delay, never giving up, so no
 * result is lost while PostgreSQL is away.
 */
@Injectable()
export class ResultsConsumer implements OnApplicationBootstrap {
  constructor(
    @Inject(NatsClient) private readonly nats: NatsClient,
    @Inject(ExecutionUpdatesService) private readonly updates: ExecutionUpdatesService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.nats.ensureStream(streams.commandResults);
    await this.nats.consumeDurableBatches(
      streams.commandResults.name,
      RESULTS_CONSUMER,
      executionUpdateSchema,
      (batch) => this.updates.applyBatch(batch.map((b) => ({ update: b.payload, context: b.context }))),
      { maxBatch: RESULTS_BATCH },
    );
  }
}
