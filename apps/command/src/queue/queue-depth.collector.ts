import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { CommandMetrics } from '../metrics/command-metrics.js';
import { CommandQueue } from './command-queue.js';

/** Points the dispatch backlog gauge at the queue, which Prometheus's scrape then reads. */
@Injectable()
export class QueueDepthCollector implements OnModuleInit {
  constructor(
    @Inject(CommandQueue) private readonly queue: CommandQueue,
    @Inject(CommandMetrics) private readonly metrics: CommandMetrics,
  ) {}

  onModuleInit(): void {
    this.metrics.readDispatchQueueFrom(() => this.queue.depth());
  }
}
