import { Controller } from '@nestjs/common';
import { telemetryV1 } from '@fleetplane/contracts/grpc';
import { invalidArgument, notFound } from '@fleetplane/service-kit/grpc';
import { agentIdSchema } from '@fleetplane/contracts';
import { LatestSampleRepository } from './latest-sample.repository.js';

@Controller()
@telemetryV1.TelemetryServiceControllerMethods()
export class TelemetryGrpcController implements telemetryV1.TelemetryServiceController {
  constructor(private readonly samples: LatestSampleRepository) {}

  async getLatestSample(req: telemetryV1.GetLatestSampleRequest): Promise<telemetryV1.GetLatestSampleResponse> {
    if (!agentIdSchema.safeParse(req.agentId).success) throw invalidArgument('agent_id', 'must be an agent id');
    const s = await this.samples.latest(req.agentId);
    if (!s) throw notFound(`sample for agent ${req.agentId}`);
    return {
      sample: {
        agentId: s.agentId,
        takenAt: s.takenAt,
        cpuPercent: s.cpuPercent,
        memoryUsedBytes: s.memoryUsedBytes,
        memoryTotalBytes: s.memoryTotalBytes,
        load1: s.load[0],
        load5: s.load[1],
        load15: s.load[2],
        diskUsedBytes: s.diskUsedBytes,
        diskTotalBytes: s.diskTotalBytes,
        uptimeSeconds: s.uptimeSeconds,
      },
    };
  }
}
