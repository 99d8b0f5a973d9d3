import { Module } from '@nestjs/common';
import { PresenceWindow } from '../agents/presence-window.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { HubInstanceId } from './hub-instance-id.js';
import { HubInstancesRepository } from './hub-instances.repository.js';
import { InstanceHeartbeat } from './instance-heartbeat.js';

/**
 * Which hub instances are alive (hub_instances and their beats) and the
 * cleanup of sessions held by dead ones. The protocol stores this instance's
 * id with each session it opens.
 */
@Module({
  imports: [MetricsModule],
  providers: [PresenceWindow, HubInstanceId, HubInstancesRepository, InstanceHeartbeat],
  exports: [HubInstanceId],
})
export class PresenceModule {}
