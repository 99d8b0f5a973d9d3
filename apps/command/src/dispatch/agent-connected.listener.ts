import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { eventSchemas, subjects } from '@fleetplane/contracts';
import { NatsClient } from '@fleetplane/service-kit/nats';
import { CommandRepository } from '../executions/command.repository.js';
import { CommandMetrics } from '../metrics/command-metrics.js';
import { CommandQueue } from '../queue/command-queue.js';

/** One instance of command handles each connection (queue group). */
export const AGENT_CONNECTED_QUEUE = 'command';

/**
 * An agent that connects gets what waited for it: every QUEUED execution for
 * it goes (back) on the dispatch queue, at its command's priority. This is
 * what ends "agent offline" — the dispatcher never polls for an agent.
 */
@Injectable()
export class AgentConnectedListener implements OnModuleInit {
  private readonly log = new Logger(AgentConnectedListener.name);

  constructor(
    @Inject(NatsClient) private readonly nats: NatsClient,
    @Inject(CommandRepository) private readonly commands: CommandRepository,
    @Inject(CommandQueue) private readonly queue: CommandQueue,
    @Inject(CommandMetrics) private readonly metrics: CommandMetrics,
  ) {}

  async onModuleInit(): Promise<void> {
    this.nats.subscribe(subjects.event('agent.connected'), eventSchemas['agent.connected'], (e) => this.wake(e.agentId, e.sessionId), {
      queue: AGENT_CONNECTED_QUEUE,
    });
    await this.nats.connection.flush();
  }

  async wake(agentId: string, wakeId: string): Promise<number> {
    const byPriority = await this.commands.waitingFor(agentId);
    let woken = 0;
    for (const [priority, ids] of byPriority) {
      await this.queue.wake(ids, priority, wakeId);
      woken += ids.length;
    }
    if (woken === 0) return 0;
    this.metrics.woken(woken);
    this.log.debug(`agent ${agentId} connected: ${woken} waiting execution(s) dispatched`);
    return woken;
  }
}
