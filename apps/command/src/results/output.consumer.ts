import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { COMMAND_OUTPUT_MAX_AGE_SECONDS, executionOutputSchema, streams, type ExecutionOutput } from '@fleetplane/contracts';
import { InjectConfig } from '@fleetplane/service-kit';
import { NatsClient } from '@fleetplane/service-kit/nats';
import type { CommandConfig } from '../config.js';
import { CommandMetrics } from '../metrics/command-metrics.js';
import { OutputRepository } from '../output/output.repository.js';

/** Durable consumer of streamed output, shared by every command instance. */
export const OUTPUT_CONSUMER = 'command-output';

/**
 * Streamed output from JetStream (COMMAND_OUTPUT) into the execution's
 * chunks, up to OUTPUT_CAP_BYTES per stream. Acked once stored (a redelivered
 * chunk is a no-op: chunks are keyed by offset); a database error redelivers.
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
    await this.nats.consumeDurable(streams.commandOutput.name, OUTPUT_CONSUMER, executionOutputSchema, (chunk) => this.store(chunk));
  }

  async store(chunk: ExecutionOutput): Promise<void> {
    const data = Buffer.from(chunk.data, 'base64');
    const outcome = await this.output.append(
      { executionId: chunk.executionId, stream: chunk.stream === 'stdout' ? 'STDOUT' : 'STDERR', offset: chunk.offset, data },
      this.config.OUTPUT_CAP_BYTES,
    );
    this.metrics.output(chunk.stream, outcome, data.length);
  }
}
