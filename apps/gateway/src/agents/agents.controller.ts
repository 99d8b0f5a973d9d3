import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import type { Caller } from '../auth/principal.js';
import { RequireRole } from '../auth/roles.js';
import { RequireScope } from '../auth/scopes.js';
import { CurrentCaller } from '../http/caller.js';
import { ZodPipe } from '../http/zod.pipe.js';
import type { AgentView } from './agent-view.js';
import {
  agentIdParam,
  enrollAgentBody,
  listAgentsQuery,
  type AgentPage,
  type EnrollAgentBody,
  type EnrolledAgent,
  type ListAgentsQuery,
} from './agents.schemas.js';
import { AgentsService } from './agents.service.js';

@Controller('agents')
export class AgentsController {
  constructor(private readonly agents: AgentsService) {}

  @Post()
  @RequireRole('admin', 'agent.enroll')
  @RequireScope('agents:write')
  enroll(@CurrentCaller() caller: Caller, @Body(new ZodPipe(enrollAgentBody)) body: EnrollAgentBody): Promise<EnrolledAgent> {
    return this.agents.enroll(caller, body);
  }

  @Get()
  @RequireRole('viewer')
  @RequireScope('agents:read')
  list(@Query(new ZodPipe(listAgentsQuery)) q: ListAgentsQuery): Promise<AgentPage> {
    return this.agents.list(q);
  }

  @Get(':id')
  @RequireRole('viewer')
  @RequireScope('agents:read')
  get(@Param('id', new ZodPipe(agentIdParam, 'id')) id: string): Promise<AgentView> {
    return this.agents.get(id);
  }
}
