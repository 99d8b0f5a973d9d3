import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { AgentCloseCode, eventSchemas, subjects } from '@fleetplane/contracts';
import { NatsClient } from '@fleetplane/service-kit/nats';
import { SessionRegistry } from '../protocol/session-registry.js';

/**
 * Every instance hears `agent.revoked` (no queue group); the one holding the
 * agent's session closes it with 4403 at once, rather than at its next
 * heartbeat. Subscribed at start-up, before the endpoint takes sockets.
 */
@Injectable()
export class AgentRevokedListener implements OnModuleInit {
  private readonly log = new Logger('AgentAccess');

  constructor(
    private readonly nats: NatsClient,
    private readonly sessions: SessionRegistry,
  ) {}

  async onModuleInit(): Promise<void> {
    this.nats.subscribe(subjects.event('agent.revoked'), eventSchemas['agent.revoked'], (e) => {
      if (this.sessions.closeAgent(e.agentId, AgentCloseCode.Revoked, e.reason)) this.log.log(`agent ${e.agentId} ${e.reason}: session closed (4403)`);
    });
    await this.nats.connection.flush();
  }
}
