import { Controller, Get, Param, Query } from '@nestjs/common';
import { RequireRole } from '../auth/roles.js';
import { RequireScope } from '../auth/scopes.js';
import { ZodPipe } from '../http/zod.pipe.js';
import {
  agentTelemetryParam,
  telemetryHistoryQuery,
  telemetrySummaryQuery,
  type LatestSampleView,
  type TelemetryHistoryQuery,
  type TelemetryHistoryView,
  type TelemetrySummaryQuery,
  type TelemetrySummaryView,
} from './telemetry.schemas.js';
import { TelemetryService } from './telemetry.service.js';

@Controller()
export class TelemetryController {
  constructor(private readonly telemetry: TelemetryService) {}

  @Get('agents/:id/telemetry/latest')
  @RequireRole('viewer')
  @RequireScope('telemetry:read')
  latest(@Param('id', new ZodPipe(agentTelemetryParam, 'id')) id: string): Promise<LatestSampleView> {
    return this.telemetry.latest(id);
  }

  @Get('agents/:id/telemetry')
  @RequireRole('viewer')
  @RequireScope('telemetry:read')
  history(
    @Param('id', new ZodPipe(agentTelemetryParam, 'id')) id: string,
    @Query(new ZodPipe(telemetryHistoryQuery)) q: TelemetryHistoryQuery,
  ): Promise<TelemetryHistoryView> {
    return this.telemetry.history(id, q);
  }

  @Get('telemetry/summary')
  @RequireRole('viewer')
  @RequireScope('telemetry:read')
  summary(@Query(new ZodPipe(telemetrySummaryQuery)) q: TelemetrySummaryQuery): Promise<TelemetrySummaryView> {
    return this.telemetry.summary(q);
  }
}
