import { Injectable, type OnModuleInit } from '@nestjs/common';
import { eventSchemas, streams, subjects } from '@fleetplane/contracts';
import { NatsClient } from '@fleetplane/service-kit';
import { SessionRegistry } from '../protocol/session-registry.js';

/**
 * Start-up wiring on NATS: the streams the hub publishes to (idempotent, every
 * instance may do it), and the `agent.connected` events through which the
 * newest connection of an agent wins across instances.
 */
@Injectable()
export class HubBootstrap implements OnModuleInit {
  constructor(
    private readonly nats: NatsClient,
    private readonly sessions: SessionRegistry,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.nats.ensureStream(streams.commandResults);
    await this.nats.ensureStream(streams.telemetry);
    this.nats.subscribe(subjects.event('agent.connected'), eventSchemas['agent.connected'], (e) => {
      this.sessions.supersede(e.agentId, e.sessionId);
    });
    await this.nats.connection.flush();
  }
}
