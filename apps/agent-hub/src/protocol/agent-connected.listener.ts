import { Injectable, type OnModuleInit } from '@nestjs/common';
import { eventSchemas, subjects } from '@fleetplane/contracts';
import { NatsClient } from '@fleetplane/service-kit/nats';
import { SessionRegistry } from './session-registry.js';

/**
 * The newest connection of an agent wins across instances: every instance
 * hears `agent.connected`, and one holding an older session of that agent
 * closes it (4409). Subscribed at start-up, before the endpoint takes sockets.
 */
@Injectable()
export class AgentConnectedListener implements OnModuleInit {
  constructor(
    private readonly nats: NatsClient,
    private readonly sessions: SessionRegistry,
  ) {}

  async onModuleInit(): Promise<void> {
    this.nats.subscribe(subjects.event('agent.connected'), eventSchemas['agent.connected'], (e) => {
      this.sessions.supersede(e.agentId, e.sessionId);
    });
    await this.nats.connection.flush();
  }
}
