import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import {
  AgentFeature,
  cancelRequestSchema,
  commandDispatchSchema,
  frame,
  subjects,
  type CancelReply,
  type CancelRequest,
  type CommandDispatch,
  type DispatchReply,
  type HubToAgent,
} from '@fleetplane/contracts';
import { currentTraceCarrier, inSpan, SpanKind } from '@fleetplane/observability';
import { Coalescer } from '@fleetplane/service-kit';
import { NatsClient } from '@fleetplane/service-kit/nats';
import { HubMetrics } from '../metrics/hub-metrics.js';

/** What routing needs of an agent's socket session (the protocol's AgentSession is one). */
export interface RoutableSession {
  readonly agentId: string;
  /** Closed because a newer connection of the same agent took over. */
  readonly replaced: boolean;
  /** Writes a hub frame once the session is open; false when the socket is gone. */
  deliver(text: string): Promise<boolean>;
  /** Whether the session agreed an optional protocol feature with its agent. */
  uses(feature: AgentFeature): boolean;
}

/** What arrives on an agent's subjects: each subject's own schema is checked in `route`. */
const agentRequestSchema = z.record(z.string(), z.unknown());

type Subscription = ReturnType<NatsClient['subscribe']>;

/**
 * Routes `fleet.agents.<id>.commands` requests to the socket this instance
 * holds for that agent. Only the instance holding the socket subscribes, so a
 * request with no responders means the agent is connected nowhere.
 */
@Injectable()
export class CommandRouter {
  private readonly subscriptions = new Map<RoutableSession, Subscription>();
  /**
   * One PING/PONG for every subscription made in the same turn of the event
   * loop (or while the previous flush was out): the server has them all once it
   * answers, and a batch of HELLOs costs one round trip instead of one each.
   */
  private readonly flushes = new Coalescer<void, void>(
    async (waiters) => {
      await this.nats.connection.flush();
      return waiters.map(() => undefined);
    },
    { maxSize: 100_000 },
  );

  constructor(
    private readonly nats: NatsClient,
    private readonly metrics: HubMetrics,
  ) {}

  /**
   * One subscription per session for all of the agent's subjects (commands and cancels): a hub
   * holds tens of thousands of sessions, and a subscription is its largest per-agent cost on NATS.
   */
  async attach(session: RoutableSession): Promise<void> {
    const sub = this.nats.subscribe(subjects.agentCommands(session.agentId).replace(/\.commands$/, '.*'), agentRequestSchema, (d, msg) =>
      this.route(session, msg.subject, d),
    );
    this.subscriptions.set(session, sub);
    // The subscription must be known to the server before HELLO_ACK tells the agent (and anyone watching) it is reachable.
    await this.flushes.run();
  }

  detach(session: RoutableSession): void {
    this.subscriptions.get(session)?.unsubscribe();
    this.subscriptions.delete(session);
  }

  private route(session: RoutableSession, subject: string, payload: unknown): Promise<DispatchReply | CancelReply | undefined> | undefined {
    if (subject === subjects.agentCommands(session.agentId)) {
      const d = commandDispatchSchema.safeParse(payload);
      return d.success ? this.deliver(session, d.data) : Promise.resolve({ accepted: false, reason: `invalid dispatch: ${d.error.issues[0]?.message}` });
    }
    if (subject === subjects.agentCancel(session.agentId)) {
      const c = cancelRequestSchema.safeParse(payload);
      return c.success ? this.cancel(session, c.data) : Promise.resolve({ delivered: false, reason: `invalid cancel: ${c.error.issues[0]?.message}` });
    }
    return undefined;
  }

  /** A CANCEL for an agent that announced "cancel"; one that did not cannot stop a process, and says so. */
  private async cancel(session: RoutableSession, c: CancelRequest): Promise<CancelReply | undefined> {
    if (!session.uses(AgentFeature.Cancel)) return { delivered: false, reason: `agent ${session.agentId} does not support CANCEL` };
    const text = frame<HubToAgent>({ type: 'CANCEL', executionId: c.executionId, ...(c.graceMs === undefined ? {} : { graceMs: c.graceMs }) });
    if (await session.deliver(text)) return { delivered: true };
    return session.replaced ? undefined : { delivered: false, reason: `agent ${session.agentId} is no longer connected` };
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
