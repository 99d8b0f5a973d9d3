import { Controller } from '@nestjs/common';
import { telemetryV1 } from '@fleetplane/contracts/grpc';
import { AlertsService } from './alerts.service.js';

/** fleetplane.telemetry.v1.AlertService: thin, each RPC is one service call. */
@Controller()
@telemetryV1.AlertServiceControllerMethods()
export class AlertsGrpcController implements telemetryV1.AlertServiceController {
  constructor(private readonly alerts: AlertsService) {}

  listAlerts(req: telemetryV1.ListAlertsRequest): Promise<telemetryV1.ListAlertsResponse> {
    return this.alerts.list(req);
  }

  getAlert(req: telemetryV1.GetAlertRequest): Promise<telemetryV1.GetAlertResponse> {
    return this.alerts.get(req.alertId);
  }

  acknowledgeAlert(req: telemetryV1.AlertActionRequest): Promise<telemetryV1.GetAlertResponse> {
    return this.alerts.acknowledge(req);
  }

  resolveAlert(req: telemetryV1.AlertActionRequest): Promise<telemetryV1.GetAlertResponse> {
    return this.alerts.resolve(req);
  }

  countOpenAlerts(): Promise<telemetryV1.CountOpenAlertsResponse> {
    return this.alerts.countOpen();
  }

  listAlertRules(): Promise<telemetryV1.ListAlertRulesResponse> {
    return this.alerts.listRules();
  }

  createAlertRule(req: telemetryV1.AlertRuleInput): Promise<telemetryV1.AlertRule> {
    return this.alerts.createRule(req);
  }

  updateAlertRule(req: telemetryV1.UpdateAlertRuleRequest): Promise<telemetryV1.AlertRule> {
    return this.alerts.updateRule(req);
  }

  deleteAlertRule(req: telemetryV1.DeleteAlertRuleRequest): Promise<telemetryV1.DeleteAlertRuleResponse> {
    return this.alerts.deleteRule(req);
  }
}
