import { Controller, Delete, HttpCode, Param, Post } from '@nestjs/common';
import { agentIdParam } from '../agents/agents.schemas.js';
import type { Caller } from '../auth/principal.js';
import { RequireRole } from '../auth/roles.js';
import { RequireScope } from '../auth/scopes.js';
import { CurrentCaller } from '../http/caller.js';
import { ZodPipe } from '../http/zod.pipe.js';
import { AgentAccessService } from './agent-access.service.js';

/** POST /agents/{id}/revoke and DELETE /agents/{id}: beside /agents, served with the enrollment tokens by AgentAccessService. */
@Controller('agents')
export class AgentAccessController {
  constructor(private readonly access: AgentAccessService) {}

  @Post(':id/revoke')
  @HttpCode(204)
  @RequireRole('admin', 'agent.revoke')
  @RequireScope('agents:write')
  revoke(@CurrentCaller() caller: Caller, @Param('id', new ZodPipe(agentIdParam, 'id')) id: string): Promise<void> {
    return this.access.revoke(caller, id);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireRole('admin', 'agent.delete')
  @RequireScope('agents:write')
  delete(@CurrentCaller() caller: Caller, @Param('id', new ZodPipe(agentIdParam, 'id')) id: string): Promise<void> {
    return this.access.delete(caller, id);
  }
}
