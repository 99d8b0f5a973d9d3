import { Module } from '@nestjs/common';
import { ExecutionsModule } from '../executions/executions.module.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { CommandQueueModule } from '../queue/queue.module.js';
import { AgentConnectedListener } from './agent-connected.listener.js';
import { DeadlineService } from './deadline.service.js';
import { DeadlineWorker } from './deadline.worker.js';
import { Dispatcher } from './dispatcher.service.js';
import { DispatchWorker } from './dispatch.worker.js';

/**
 * The consumer side of the command queues: the dispatch worker sends each
 * execution to its agent's hub, the deadline worker expires what never reached
 * its agent and times out what got no result, and an agent's connection wakes
 * what waited for it. Their queues' producer is queue/; nothing else builds on this.
 */
@Module({
  imports: [ExecutionsModule, CommandQueueModule, MetricsModule],
  providers: [Dispatcher, DispatchWorker, DeadlineService, DeadlineWorker, AgentConnectedListener],
})
export class DispatchModule {}
