import { Module } from '@nestjs/common';
import { OutputRepository } from '../output/output.repository.js';
import { CommandQueueModule } from '../queue/queue.module.js';
import { CommandProgress } from './command-progress.js';
import { CommandRepository } from './command.repository.js';
import { ExecutionBatchRepository } from './execution-batch.repository.js';
import { ExecutionEvents } from './execution-events.js';
import { ExecutionQueries } from './execution-queries.repository.js';
import { ExecutionTransitions } from './execution-transitions.js';

/**
 * Commands and executions as stored, and the one place an execution's state
 * changes (with the rate control a finish drives). Submitting (commands/),
 * dispatching (dispatch/) and applying results (results/) all build on it;
 * besides these providers, the pure helpers in command-state.ts and
 * deadline.ts are its public files.
 */
@Module({
  imports: [CommandQueueModule],
  providers: [CommandRepository, ExecutionBatchRepository, ExecutionQueries, OutputRepository, ExecutionEvents, CommandProgress, ExecutionTransitions],
  exports: [CommandRepository, ExecutionBatchRepository, ExecutionQueries, OutputRepository, ExecutionEvents, CommandProgress, ExecutionTransitions],
})
export class ExecutionsModule {}
