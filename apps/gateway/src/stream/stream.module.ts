import { Module } from '@nestjs/common';
import { ApiKeysModule } from '../api-keys/api-keys.module.js';
import { AuthModule } from '../auth/auth.module.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { AlertEventFeed } from './alert-event-feed.js';
import { BackupEventFeed } from './backup-event-feed.js';
import { ExecutionEventFeed } from './execution-event-feed.js';
import { ExecutionOutputFeed } from './execution-output-feed.js';
import { StreamAuthenticator } from './stream-authenticator.js';
import { StreamGateway } from './stream.gateway.js';

/** The live-update WebSocket /api/v1/stream: execution.updated events, followed executions' output, alert transitions and backup job events from NATS, to sockets that authenticated by their first frame. */
@Module({
  imports: [AuthModule, ApiKeysModule, MetricsModule],
  providers: [StreamAuthenticator, ExecutionEventFeed, ExecutionOutputFeed, AlertEventFeed, BackupEventFeed, StreamGateway],
})
export class StreamModule {}
