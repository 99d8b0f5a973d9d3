import { Injectable } from '@nestjs/common';
import { telemetryV1 } from '@fleetplane/contracts/grpc';
import { InjectGrpcClient, type GrpcClient } from '@fleetplane/service-kit/grpc';
import { toHistoryView, toLatestSampleView, toSummaryView } from './telemetry-view.js';
import type { LatestSampleView, TelemetryHistoryQuery, TelemetryHistoryView, TelemetrySummaryQuery, TelemetrySummaryView } from './telemetry.schemas.js';

export const TELEMETRY = 'telemetry';
export const TELEMETRY_HISTORY = 'telemetry-history';

const RESOLUTION: Record<TelemetryHistoryQuery['step'], telemetryV1.Resolution> = {
  auto: telemetryV1.Resolution.RESOLUTION_AUTO,
  raw: telemetryV1.Resolution.RESOLUTION_RAW,
  '1m': telemetryV1.Resolution.RESOLUTION_1M,
  '1h': telemetryV1.Resolution.RESOLUTION_1H,
};

/** Agent samples and their history, from telemetry's TelemetryService and TelemetryHistoryService. */
@Injectable()
export class TelemetryService {
  constructor(
    @InjectGrpcClient(TELEMETRY) private readonly latestClient: GrpcClient<telemetryV1.TelemetryServiceClient>,
    @InjectGrpcClient(TELEMETRY_HISTORY) private readonly historyClient: GrpcClient<telemetryV1.TelemetryHistoryServiceClient>,
  ) {}

  async latest(agentId: string): Promise<LatestSampleView> {
    const res = await this.latestClient.call('getLatestSample', { agentId });
    return toLatestSampleView(res.sample!);
  }

  async history(agentId: string, q: TelemetryHistoryQuery): Promise<TelemetryHistoryView> {
    const res = await this.historyClient.call('getHistory', {
      agentId,
      from: q.from ?? '',
      to: q.to ?? '',
      resolution: RESOLUTION[q.step],
      metrics: q.metrics ? q.metrics.split(',') : [],
      pageSize: q.pageSize,
      pageToken: q.pageToken ?? '',
    });
    return toHistoryView(res);
  }

  async summary(q: TelemetrySummaryQuery): Promise<TelemetrySummaryView> {
    const [key, value] = q.label ? [q.label.slice(0, q.label.indexOf('=')), q.label.slice(q.label.indexOf('=') + 1)] : [];
    const res = await this.historyClient.call('getFleetSummary', { windowSeconds: q.minutes * 60, site: q.site ?? '', labels: key ? { [key]: value! } : {} });
    return toSummaryView(res);
  }
}
