import { Controller, Get } from '@nestjs/common';
import { RequireRole } from '../auth/roles.js';
import { RequireScope } from '../auth/scopes.js';
import type { AgentSummary } from './agent-filters.schemas.js';
import { AgentRegistryClient } from './agent-registry.client.js';

/**
 * GET /agents/summary. A controller of its own, listed before
 * AgentsController in AgentsModule so that Express meets `summary` before
 * `:id` would take it for an agent id.
 */
@Controller('agents')
export class AgentSummaryController {
  constructor(private readonly registry: AgentRegistryClient) {}

  @Get('summary')
  @RequireRole('viewer')
  @RequireScope('agents:read')
  summary(): Promise<AgentSummary> {
    return this.registry.summary();
  }
}
