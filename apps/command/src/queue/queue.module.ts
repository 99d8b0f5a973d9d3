import { Module } from '@nestjs/common';
import { QueueModule } from '@fleetplane/service-kit/queue';
import { MetricsModule } from '../metrics/metrics.module.js';
import { CommandQueue } from './command-queue.js';
import { DEADLINE_QUEUE, DISPATCH_QUEUE } from './jobs.js';
import { QueueHandoff } from './queue-handoff.js';
import { QueueHandoffRepository } from './queue-handoff.repository.js';
import { QueueRecovery } from './queue-recovery.js';
import { QueueDepthCollector } from './queue-depth.collector.js';

/**
 * The producer side of the dispatch and deadline queues (on service-kit's
 * QueueModule, configured in AppModule), with the hand-off that makes a crash between storing
 * and queueing recoverable; their workers are in dispatch/.
 */
@Module({
  imports: [QueueModule.registerQueue(DISPATCH_QUEUE, DEADLINE_QUEUE), MetricsModule],
  providers: [CommandQueue, QueueDepthCollector, QueueHandoffRepository, QueueHandoff, QueueRecovery],
  exports: [CommandQueue, QueueHandoff],
})
export class CommandQueueModule {}
