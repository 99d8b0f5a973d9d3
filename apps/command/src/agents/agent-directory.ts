import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { ClientGrpc } from '@nestjs/microservices';
import { firstValueFrom, timeout } from 'rxjs';
import { agentHubV1 } from '@fleetplane/contracts/grpc';
import { GrpcStatus, grpcStatusOf } from '@fleetplane/service-kit';

export const AGENT_HUB_CLIENT = Symbol('AGENT_HUB_CLIENT');
const GET_AGENT_TIMEOUT_MS = 3_000;

export type AgentLookup = 'found' | 'not_found';

/** agent-hub could not answer (down, unreachable, too slow): the caller should retry later. */
export class AgentHubUnavailableError extends Error {
  override name = 'AgentHubUnavailableError';
}

/** Whether agents are enrolled, asked of agent-hub (the registry's owner) over gRPC. */
@Injectable()
export class AgentDirectory implements OnModuleInit {
  private hub!: agentHubV1.AgentHubServiceClient;

  constructor(@Inject(AGENT_HUB_CLIENT) private readonly client: ClientGrpc) {}

  onModuleInit(): void {
    this.hub = this.client.getService<agentHubV1.AgentHubServiceClient>(agentHubV1.AGENT_HUB_SERVICE_NAME);
  }

  async lookup(agentId: string): Promise<AgentLookup> {
    try {
      await firstValueFrom(this.hub.getAgent({ agentId }).pipe(timeout(GET_AGENT_TIMEOUT_MS)));
      return 'found';
    } catch (err) {
      if (grpcStatusOf(err) === GrpcStatus.NOT_FOUND) return 'not_found';
      throw new AgentHubUnavailableError(`agent-hub unavailable: ${(err as Error).message}`);
    }
  }
}
