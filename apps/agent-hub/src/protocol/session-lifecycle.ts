import { Injectable, Logger } from '@nestjs/common';
import { AgentFeature, frame, type HubToAgent, type Hello, type OutputFrame, type ResultFrame, type TelemetryFrame } from '@fleetplane/contracts';
import { Clock } from '@fleetplane/service-kit';
import { NatsClient } from '@fleetplane/service-kit/nats';
import { AgentRepository } from '../agents/agent.repository.js';
import { hashAgentToken, tokenMatches } from '../agents/credentials.js';
import { AgentOutputPublisher } from '../routing/agent-output.publisher.js';
import { CommandRouter } from '../routing/command-router.js';
import { HubInstanceId } from '../presence/hub-instance-id.js';
import { AdmissionControl } from './admission-control.js';
import type { AgentSession } from './agent-session.js';
import type { AdmissionRefusal, SessionHooks } from './session-ports.js';
import { SessionRegistry } from './session-registry.js';

/**
 * Connects the protocol session to the registry, NATS routing and JetStream.
 * Heartbeats do not pass here: liveness stays in the session and
 * PresenceFlusher writes it in batches.
 */
@Injectable()
export class SessionLifecycle implements SessionHooks {
  private readonly log = new Logger('AgentSocket');

  constructor(
    private readonly agents: AgentRepository,
    private readonly sessions: SessionRegistry,
    private readonly router: CommandRouter,
    private readonly publisher: AgentOutputPublisher,
    private readonly nats: NatsClient,
    private readonly admission: AdmissionControl,
    private readonly instance: HubInstanceId,
    private readonly clock: Clock,
  ) {}

  beginHello(): AdmissionRefusal | undefined {
    return this.admission.beginHello();
  }

  endHello(): void {
    this.admission.endHello();
  }

  endHandshake(): void {
    this.admission.endHandshake();
  }

  async authenticate(agentId: string, token: string): Promise<boolean> {
    return tokenMatches(token, await this.agents.findTokenHash(agentId));
  }

  async opened(session: AgentSession, hello: Hello): Promise<void> {
    session.credentialHash = hashAgentToken(hello.token);
    this.sessions.add(session);
    await this.agents.markConnected(session.agentId, session.sessionId, hello.inventory, this.clock.now(), {
      hubInstanceId: this.instance.id,
      protocolVersion: hello.v,
    });
    await this.router.attach(session);
    // Every instance hears this; one holding an older session of this agent closes it (4409).
    this.nats.emit('agent.connected', { agentId: session.agentId, sessionId: session.sessionId, at: this.clock.now().toISOString() });
  }

  /**
   * Stored first, then — for an agent using "result-ack" — acknowledged, so the
   * agent forgets a final result only once JetStream has it. A lost ACK costs a
   * re-sent RESULT, which command ignores (the execution already finished).
   */
  async result(session: AgentSession, f: ResultFrame): Promise<void> {
    await this.publisher.result(session.agentId, f);
    if (f.status !== 'RUNNING' && session.uses(AgentFeature.ResultAck)) {
      await session.deliver(frame<HubToAgent>({ type: 'RESULT_ACK', executionId: f.executionId }));
    }
  }

  output(session: AgentSession, f: OutputFrame): Promise<void> {
    return this.publisher.output(session.agentId, f);
  }

  telemetry(session: AgentSession, frame: TelemetryFrame): Promise<void> {
    return this.publisher.telemetry(session.agentId, frame);
  }

  async closed(session: AgentSession, code: number): Promise<void> {
    this.router.detach(session);
    this.sessions.remove(session);
    const wasCurrent = await this.agents.markDisconnected(session.agentId, session.sessionId, this.clock.now());
    this.log.log(`agent ${session.agentId} disconnected (session ${session.sessionId}, code ${code}${wasCurrent ? '' : ', superseded'})`);
    this.nats.emit('agent.disconnected', { agentId: session.agentId, sessionId: session.sessionId, code, at: this.clock.now().toISOString() });
  }
}
