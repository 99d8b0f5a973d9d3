import { Injectable, Logger } from '@nestjs/common';
import type { Hello, ResultFrame, TelemetryFrame } from '@fleetplane/contracts';
import { Clock } from '@fleetplane/service-kit';
import { NatsClient } from '@fleetplane/service-kit/nats';
import { AgentRepository } from '../agents/agent.repository.js';
import { hashAgentToken, tokenMatches } from '../agents/credentials.js';
import { AgentOutputPublisher } from '../routing/agent-output.publisher.js';
import { CommandRouter } from '../routing/command-router.js';
import type { AgentSession } from './agent-session.js';
import type { SessionHooks, SessionStanding } from './session-ports.js';
import { SessionRegistry } from './session-registry.js';

/** Connects the protocol session to the registry, NATS routing and JetStream. */
@Injectable()
export class SessionLifecycle implements SessionHooks {
  private readonly log = new Logger('AgentSocket');
  // The credential each session authenticated with (as its hash), to notice a rotation.
  private readonly credentials = new WeakMap<AgentSession, string>();

  constructor(
    private readonly agents: AgentRepository,
    private readonly sessions: SessionRegistry,
    private readonly router: CommandRouter,
    private readonly output: AgentOutputPublisher,
    private readonly nats: NatsClient,
    private readonly clock: Clock,
  ) {}

  async authenticate(agentId: string, token: string): Promise<boolean> {
    return tokenMatches(token, await this.agents.findTokenHash(agentId));
  }

  async opened(session: AgentSession, hello: Hello): Promise<void> {
    this.credentials.set(session, hashAgentToken(hello.token));
    this.sessions.add(session);
    await this.agents.markConnected(session.agentId, session.sessionId, hello.inventory, this.clock.now());
    await this.router.attach(session);
    // Every instance hears this; one holding an older session of this agent closes it (4409).
    this.nats.emit('agent.connected', { agentId: session.agentId, sessionId: session.sessionId, at: this.clock.now().toISOString() });
  }

  async heartbeat(session: AgentSession): Promise<SessionStanding> {
    const standing = await this.agents.markSeen(session.agentId, session.sessionId, this.credentials.get(session) ?? '', this.clock.now());
    if (standing !== 'current') this.log.warn(`agent ${session.agentId} session ${session.sessionId} ${standing}; closing it`);
    return standing;
  }

  result(session: AgentSession, frame: ResultFrame): Promise<void> {
    return this.output.result(session.agentId, frame);
  }

  telemetry(session: AgentSession, frame: TelemetryFrame): Promise<void> {
    return this.output.telemetry(session.agentId, frame);
  }

  async closed(session: AgentSession, code: number): Promise<void> {
    this.router.detach(session);
    this.sessions.remove(session);
    const wasCurrent = await this.agents.markDisconnected(session.agentId, session.sessionId, this.clock.now());
    this.log.log(`agent ${session.agentId} disconnected (session ${session.sessionId}, code ${code}${wasCurrent ? '' : ', superseded'})`);
    this.nats.emit('agent.disconnected', { agentId: session.agentId, sessionId: session.sessionId, code, at: this.clock.now().toISOString() });
  }
}
