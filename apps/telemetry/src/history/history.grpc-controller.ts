import { Controller } from '@nestjs/common';
import type { Metadata } from '@grpc/grpc-js';
import type { Observable } from 'rxjs';
import { telemetryV1 } from '@fleetplane/contracts/grpc';
import { HistoryService } from './history.service.js';
import type { StreamPacing } from './stream-pacing.js';

/** fleetplane.telemetry.v1.TelemetryHistoryService: thin, each RPC is one service call. */
@Controller()
@telemetryV1.TelemetryHistoryServiceControllerMethods()
export class HistoryGrpcController implements telemetryV1.TelemetryHistoryServiceController {
  constructor(private readonly history: HistoryService) {}

  getHistory(req: telemetryV1.GetHistoryRequest): Promise<telemetryV1.GetHistoryResponse> {
    return this.history.getHistory(req);
  }

  getFleetSummary(req: telemetryV1.GetFleetSummaryRequest): Promise<telemetryV1.GetFleetSummaryResponse> {
    return this.history.getFleetSummary(req);
  }

  // Nest passes the call itself third: the stream paces its reads by it.
  streamHistory(req: telemetryV1.StreamHistoryRequest, _metadata?: Metadata, call?: StreamPacing): Observable<telemetryV1.StreamHistoryResponse> {
    return this.history.streamHistory(req, call);
  }
}
