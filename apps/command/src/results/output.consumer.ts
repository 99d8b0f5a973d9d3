import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { z } from 'zod';
import { COMMAND_OUTPUT_MAX_AGE_SECONDS, executionOutputSchema, streams, type ExecutionOutput } from '@fleetplane/contracts';
import { InjectConfig } from '@fleetplane/service-kit';
import { NatsClient } from '@fleetplane/service-kit/nats';
import type { CommandConfig } from '../config.js';
import { CommandMetrics } from '../metrics/command-metrics.js';
import { OutputRepository } from '../output/output.repository.js';

const uuid = z.uuid();

/** Durable consumer of streamed output, shared by every command instance. */
export const OUTPUT_CONSUMER = 'command-output';
/** Most chunks stored in one statement. */
export const OUTPUT_BATCH = 500;

/**
 * Streamed output from JetStream (COMMAND_OUTPUT) into the execution's
 * chunks, up to OUTPUT_CAP_BYTES per stream, a batch per statement. Acked once
 * stored (a redelivered chunk is a no-op: chunks are keyed by offset); a
 * database error redelivers the batch.
 */
@Injectable()
export class OutputConsumer implements OnApplicationBootstrap {
  constructor(
    @Inject(NatsClient) private readonly nats: NatsClient,
    @Inject(OutputRepository) private readonly output: OutputRepository,
    @Inject(CommandMetrics) private readonly metrics: CommandMetrics,
    @InjectConfig() private readonly config: Pick<CommandConfig, 'OUTPUT_CAP_BYTES'>,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Output is kept in PostgreSQL; the stream only buffers it on the way.
    await this.nats.ensureStream(streams.commandOutput, COMMAND_OUTPUT_MAX_AGE_SECONDS);
    await this.nats.consumeDurableBatches(
      streams.commandOutput.name,
      OUTPUT_CONSUMER,
      executionOutputSchema,
      (batch) => this.store(batch.map((b) => b.payload)),
      {
        maxBatch: OUTPUT_BATCH,
      },
    );
  }

  async store(received: readonly ExecutionOutput[]): Promise<void> {
    // An id that is no uuid names no execution (and would fail the whole statement).
    const chunks = received.filter((chunk) => {
      const ok = uuid.safeParse(chunk.executionId).success;
      if (!ok) this.metrics.output(chunk.stream, 'unknown_execution', 0);
      return ok;
    });
    const decoded = chunks.map((chunk) => ({
      executionId: chunk.executionId,
      stream: chunk.stream === 'stdout' ? ('STDOUT' as const) : ('STDERR' as const),
      offset: chunk.offset,
      data: Buffer.from(chunk.data, 'base64'),
    }));
    const outcomes = await this.output.appendBatch(decoded, this.config.OUTPUT_CAP_BYTES);
    outcomes.forEach((outcome, i) => this.metrics.output(chunks[i]!.stream, outcome, decoded[i]!.data.length));
  }
}
