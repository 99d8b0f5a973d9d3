import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import type { Caller } from '../auth/principal.js';
import { RequireRole } from '../auth/roles.js';
import { RequireScope } from '../auth/scopes.js';
import { CurrentCaller } from '../http/caller.js';
import { ZodPipe } from '../http/zod.pipe.js';
import {
  alertIdParam,
  alertRuleIdParam,
  createAlertRuleBody,
  listAlertsQuery,
  updateAlertRuleBody,
  type AlertDetailView,
  type AlertPage,
  type AlertRuleList,
  type AlertRuleView,
  type CreateAlertRuleBody,
  type DeletedAlertRule,
  type ListAlertsQuery,
  type UpdateAlertRuleBody,
} from './alerts.schemas.js';
import { AlertsService } from './alerts.service.js';

@Controller('alerts')
export class AlertsController {
  constructor(private readonly alerts: AlertsService) {}

  @Get()
  @RequireRole('viewer')
  @RequireScope('telemetry:read')
  list(@Query(new ZodPipe(listAlertsQuery)) q: ListAlertsQuery): Promise<AlertPage> {
    return this.alerts.list(q);
  }

  @Get(':id')
  @RequireRole('viewer')
  @RequireScope('telemetry:read')
  get(@Param('id', new ZodPipe(alertIdParam, 'id')) id: string): Promise<AlertDetailView> {
    return this.alerts.get(id);
  }

  @Post(':id/ack')
  @HttpCode(200)
  @RequireRole('operator', 'alert.acknowledge')
  @RequireScope('alerts:write')
  ack(@CurrentCaller() caller: Caller, @Param('id', new ZodPipe(alertIdParam, 'id')) id: string): Promise<AlertDetailView> {
    return this.alerts.acknowledge(caller, id);
  }

  @Post(':id/resolve')
  @HttpCode(200)
  @RequireRole('operator', 'alert.resolve')
  @RequireScope('alerts:write')
  resolve(@CurrentCaller() caller: Caller, @Param('id', new ZodPipe(alertIdParam, 'id')) id: string): Promise<AlertDetailView> {
    return this.alerts.resolve(caller, id);
  }
}

@Controller('alert-rules')
export class AlertRulesController {
  constructor(private readonly alerts: AlertsService) {}

  @Get()
  @RequireRole('viewer')
  @RequireScope('telemetry:read')
  list(): Promise<AlertRuleList> {
    return this.alerts.rules();
  }

  @Post()
  @RequireRole('admin', 'alert_rule.create')
  @RequireScope('alerts:write')
  create(@CurrentCaller() caller: Caller, @Body(new ZodPipe(createAlertRuleBody)) body: CreateAlertRuleBody): Promise<AlertRuleView> {
    return this.alerts.createRule(caller, body);
  }

  @Patch(':id')
  @RequireRole('admin', 'alert_rule.update')
  @RequireScope('alerts:write')
  update(
    @CurrentCaller() caller: Caller,
    @Param('id', new ZodPipe(alertRuleIdParam, 'id')) id: string,
    @Body(new ZodPipe(updateAlertRuleBody)) body: UpdateAlertRuleBody,
  ): Promise<AlertRuleView> {
    return this.alerts.updateRule(caller, id, body);
  }

  @Delete(':id')
  @RequireRole('admin', 'alert_rule.delete')
  @RequireScope('alerts:write')
  remove(@CurrentCaller() caller: Caller, @Param('id', new ZodPipe(alertRuleIdParam, 'id')) id: string): Promise<DeletedAlertRule> {
    return this.alerts.deleteRule(caller, id);
  }
}
