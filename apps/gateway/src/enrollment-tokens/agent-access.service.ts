import { Injectable } from '@nestjs/common';
import { agentHubV1 } from '@fleetplane/contracts/grpc';
import { InjectGrpcClient, type GrpcClient } from '@fleetplane/service-kit/grpc';
import { AuditService } from '../audit/audit.service.js';
import { failureDetails } from '../audit/failure-details.js';
import type { Caller } from '../auth/principal.js';
import { AGENT_ACCESS } from './enrollment-tokens.service.js';

/**
 * The end of an agent's access, through agent-hub's AgentAccessService: the
 * hub refuses the credential and closes the agent's session (4403) on
 * whichever instance holds it. Audited, success or not.
 */
@Injectable()
export class AgentAccessService {
  constructor(
    @InjectGrpcClient(AGENT_ACCESS) private readonly hub: GrpcClient<agentHubV1.AgentAccessServiceClient>,
    private readonly audit: AuditService,
  ) {}

  revoke(caller: Caller, id: string): Promise<void> {
    return this.audited(caller, 'agent.revoke', id, () => this.hub.call('revokeAgent', { agentId: id }));
  }

  delete(caller: Caller, id: string): Promise<void> {
    return this.audited(caller, 'agent.delete', id, () => this.hub.call('deleteAgent', { agentId: id }));
  }

  private async audited(caller: Caller, action: string, target: string, call: () => Promise<unknown>): Promise<void> {
    try {
      await call();
      await this.audit.recordFor(caller, { action, outcome: 'success', target });
    } catch (err) {
      await this.audit.recordFor(caller, { action, outcome: 'failed', target, details: failureDetails(err) });
      throw err;
    }
  }
}
