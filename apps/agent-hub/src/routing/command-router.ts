import { Injectable } from '@nestjs/common';
import { commandDispatchSchema, frame, subjects, type CommandDispatch, type DispatchReply, type HubToAgent } from '@fleetplane/contracts';
import { currentTraceCarrier, inSpan, SpanKind } from '@fleetplane/observability';
import { NatsClient } from '@fleetplane/service-kit/nats';
import { HubMetrics } from '../metrics/hub-metrics.js';

/** What routing needs of an agent's socket session (the protocol's AgentSession is one). */
export interface RoutableSession {
  readonly agentId: string;
  /** Closed because a newer connection of the same agent took over. */
  readonly replaced: boolean;
  /** Writes a hub frame once the session is open; false when the socket is gone. */
  deliver(text: string): Promise<boolean>;
}

type Subscription = ReturnType<NatsClient['subscribe']>;

/**
 * Routes `fleet.agents.<id>.commands` requests to the socket this instance
 * holds for that agent. Only the instance holding the socket subscribes, so a
 * request with no responders means the agent is connected nowhere.
 */
@Injectable()
export class CommandRouter {
  private readonly subscriptions = new Map<RoutableSession, Subscription>();

  constructor(
    private readonly nats: NatsClient,
    private readonly metrics: HubMetrics,
  ) {}

  async attach(session: RoutableSession): Promise<void> {
    const sub = this.nats.subscribe(subjects.agentCommands(session.agentId), commandDispatchSchema, (d) => this.deliver(session, d));
    this.subscriptions.set(session, sub);
    // The subscription must be known to the server before HELLO_ACK tells the agent (and anyone watching) it is reachable.
    await this.nats.connection.flush();
  }

  detach(session: RoutableSession): void {
    this.subscriptions.get(session)?.unsubscribe();
    this.subscriptions.delete(session);
  }

  private deliver(session: RoutableSession, d: CommandDispatch): Promise<DispatchReply | undefined> {
    const attributes = {
      'fleetplane.agent_id': session.agentId,
      'fleetplane.execution_id': d.executionId,
      'fleetplane.command_id': d.commandId,
      'fleetplane.verb': d.verb,
    };
    return inSpan('agent COMMAND send', { kind: SpanKind.PRODUCER, attributes }, async () => {
      const text = frame<HubToAgent>({ type: 'COMMAND', ...d, trace: currentTraceCarrier() });
      if (await session.deliver(text)) {
        this.metrics.dispatched('accepted');
        return { accepted: true };
      }
      // A replaced session stays silent: the newer one, on whichever instance, answers.
      if (session.replaced) {
        this.metrics.dispatched('superseded');
        return undefined;
      }
      this.metrics.dispatched('rejected');
      return { accepted: false, reason: `agent ${session.agentId} is no longer connected` };
    });
  }
}
