import { Inject, Injectable, Logger } from '@nestjs/common';
import { z } from 'zod';
import type { Context } from '@opentelemetry/api';
import type { ExecutionUpdate } from '@fleetplane/contracts';
import { Clock } from '@fleetplane/service-kit';
import { withContext } from '@fleetplane/service-kit/nats';
import { ERROR_STATES, isTerminal } from '../executions/command-state.js';
import { CommandProgress } from '../executions/command-progress.js';
import { CommandRepository } from '../executions/command.repository.js';
import { ExecutionBatchRepository } from '../executions/execution-batch.repository.js';
import { ExecutionEvents } from '../executions/execution-events.js';
import { ExecutionTransitions } from '../executions/execution-transitions.js';
import type { ExecutionState } from '../generated/prisma/enums.js';
import { CommandMetrics } from '../metrics/command-metrics.js';
import { outcomeOf, planUpdates } from './update-plan.js';

/** An update with the trace context of the message that carried it (its events join that trace). */
export interface TracedUpdate {
  update: ExecutionUpdate;
  context: Context;
}

export type UpdateResult = 'applied' | 'unknown_execution' | 'foreign_agent' | 'already_finished' | 'stale';

const uuid = z.uuid();

/**
 * Applies agent-hub's execution updates. The hub stamps agentId from the
 * socket's authenticated identity, so an update naming another agent than the
 * execution's is not trusted. States only move forward: RUNNING from
 * QUEUED/DISPATCHED, a final state from any unfinished one, and nothing after that.
 */
@Injectable()
export class ExecutionUpdatesService {
  private readonly log = new Logger(ExecutionUpdatesService.name);

  constructor(
    @Inject(CommandRepository) private readonly commands: CommandRepository,
    @Inject(ExecutionTransitions) private readonly transitions: ExecutionTransitions,
    @Inject(CommandMetrics) private readonly metrics: CommandMetrics,
    @Inject(CommandProgress) private readonly progress: Pick<CommandProgress, 'afterFinish'>,
    @Inject(ExecutionBatchRepository) private readonly batches: ExecutionBatchRepository,
    @Inject(ExecutionEvents) private readonly events: ExecutionEvents,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  /**
   * Applies a batch of updates in two statements (read, conditional write) instead of two or
   * more per update, with the same rules as `apply`. A move that lost a race to another writer
   * (cancel, deadline, the dispatcher) is redone update by update through `apply`. Throws when
   * the database fails, so the consumer redelivers the batch (every step is idempotent).
   */
  async applyBatch(batch: readonly TracedUpdate[]): Promise<void> {
    const valid: TracedUpdate[] = [];
    for (const b of batch) {
      if (uuid.safeParse(b.update.executionId).success) valid.push(b);
      else this.ignored(b.update, 'unknown_execution');
    }
    const contexts = new Map(valid.map((b) => [b.update, b.context]));
    const plan = planUpdates(
      valid.map((b) => b.update),
      await this.batches.snapshot(valid.map((b) => b.update.executionId)),
    );
    const written = await this.batches.applyMoves(plan.moves);
    for (const { update, result } of plan.ignored) this.ignored(update, result);

    // Rate control runs once per command, after every write of the batch: it counts what is stored.
    const rateControl = new Map<string, ExecutionState>();
    const needsRateControl = (commandId: string, state: ExecutionState) => {
      if (!rateControl.has(commandId) || ERROR_STATES.includes(state)) rateControl.set(commandId, state);
    };
    for (const move of plan.moves) {
      if (!written.has(move.snapshot.id)) {
        // Lost a race: the one-by-one path re-reads and decides again.
        for (const u of move.updates) await withContext(contexts.get(u)!, () => this.apply(u));
        continue;
      }
      const last = move.updates.at(-1)!;
      withContext(contexts.get(last)!, () => {
        if (move.runningAt) this.events.announce(move.snapshot, 'RUNNING', move.runningAt);
        if (move.outcome) this.events.announce(move.snapshot, move.outcome.state, move.outcome.finishedAt, move.outcome.exitCode);
      });
      if (move.outcome) {
        this.metrics.finished(move.outcome.state);
        this.metrics.finishedAfter(move.outcome.state, (this.clock.nowMs() - move.snapshot.createdAt.getTime()) / 1000);
        if (move.snapshot.rateControlled) needsRateControl(move.snapshot.commandId, move.outcome.state);
      }
    }
    for (const r of plan.refinish) needsRateControl(r.commandId, r.state);
    for (const [commandId, state] of rateControl) await this.progress.afterFinish(commandId, state);
  }

  private ignored(u: ExecutionUpdate, result: Exclude<UpdateResult, 'applied'>): void {
    this.metrics.updateIgnored(result);
    if (result === 'foreign_agent' || result === 'unknown_execution') {
      this.log.warn(`ignored ${u.status} for execution ${u.executionId} from agent ${u.agentId}: ${result}`);
    }
  }

  async apply(u: ExecutionUpdate): Promise<UpdateResult> {
    const result = await this.applyOrIgnore(u);
    if (result !== 'applied') this.ignored(u, result);
    return result;
  }

  private async applyOrIgnore(u: ExecutionUpdate): Promise<UpdateResult> {
    if (!uuid.safeParse(u.executionId).success) return 'unknown_execution';
    const execution = await this.commands.findExecution(u.executionId);
    if (!execution) return 'unknown_execution';
    if (execution.agentId !== u.agentId) return 'foreign_agent';
    if (isTerminal(execution.state)) {
      // A redelivered result whose rate-control step failed the first time: do that step again (idempotent).
      if (u.status !== 'RUNNING') await this.progress.afterFinish(execution.commandId, execution.state);
      return 'already_finished';
    }
    if (u.status === 'RUNNING') return (await this.transitions.markRunning(execution, new Date(u.at))) ? 'applied' : 'stale';

    const outcome = outcomeOf(u, execution.truncated);
    if (!(await this.transitions.finish(execution, outcome))) return 'already_finished';
    this.metrics.finished(outcome.state);
    this.metrics.finishedAfter(outcome.state, (this.clock.nowMs() - execution.createdAt.getTime()) / 1000);
    return 'applied';
  }
}
