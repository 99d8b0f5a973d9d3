import { Controller, Get } from '@nestjs/common';
import { RequireRole } from '../auth/roles.js';
import { RequireScope } from '../auth/scopes.js';
import type { StatisticsView } from './statistics.schemas.js';
import { StatisticsService } from './statistics.service.js';

@Controller('statistics')
export class StatisticsController {
  constructor(private readonly statistics: StatisticsService) {}

  @Get()
  @RequireRole('viewer')
  @RequireScope('agents:read')
  get(): Promise<StatisticsView> {
    return this.statistics.get();
  }
}
