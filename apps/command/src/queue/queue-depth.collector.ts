import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { metricsRegistry } from '@fleetplane/observability';
import { CommandQueue } from './command-queue.js';

/** The dispatch backlog, read from BullMQ when Prometheus scrapes rather than on a timer. */
@Injectable()
export class QueueDepthCollector implements OnModuleInit {
  private readonly log = new Logger(QueueDepthCollector.name);

  constructor(@Inject(CommandQueue) private readonly queue: CommandQueue) {}

  onModuleInit(): void {
    const { queue, log } = this;
    new Gauge({
      name: 'command_dispatch_queue_jobs',
      help: 'Jobs in the dispatch queue, by state (waiting, prioritized, delayed, active)',
      labelNames: ['state'] as const,
      registers: [metricsRegistry],
      // A Redis outage keeps the last values (and /metrics working) and is logged.
      async collect() {
        try {
          for (const [state, n] of Object.entries(await queue.depth())) this.set({ state }, n);
        } catch (err) {
          log.warn(`queue depth unavailable: ${(err as Error).message}`);
        }
      },
    });
  }
}
