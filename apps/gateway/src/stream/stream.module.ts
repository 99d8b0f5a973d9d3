import { Module } from '@nestjs/common';
import { ApiKeysModule } from '../api-keys/api-keys.module.js';
import { AuthModule } from '../auth/auth.module.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { ExecutionEventFeed } from './execution-event-feed.js';
import { ExecutionOutputFeed } from './execution-output-feed.js';
import { StreamAuthenticator } from './stream-authenticator.js';
import { StreamGateway } from './stream.gateway.js';

/** The live-update WebSocket /api/v1/stream: execution.updated events and followed executions' output from NATS, to sockets that authenticated by their first frame. */
@Module({
  imports: [AuthModule, ApiKeysModule, MetricsModule],
  providers: [StreamAuthenticator, ExecutionEventFeed, ExecutionOutputFeed, StreamGateway],
})
export class StreamModule {}
