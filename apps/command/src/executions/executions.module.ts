import { Module } from '@nestjs/common';
import { CommandRepository } from './command.repository.js';
import { ExecutionTransitions } from './execution-transitions.js';

/**
 * Commands and executions as stored, and the one place an execution's state
 * changes. Submitting (commands/), dispatching (dispatch/) and applying
 * results (results/) all build on it; besides these two providers, the pure
 * helpers in command-state.ts and deadline.ts are its public files.
 */
@Module({ providers: [CommandRepository, ExecutionTransitions], exports: [CommandRepository, ExecutionTransitions] })
export class ExecutionsModule {}
