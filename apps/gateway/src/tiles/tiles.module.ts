import { Module } from '@nestjs/common';
import { tilesV1 } from '@fleetplane/contracts/grpc';
import { GrpcClientModule } from '@fleetplane/service-kit/grpc';
import { AuditModule } from '../audit/audit.module.js';
import type { GatewayConfig } from '../config.js';
import { TilesController } from './tiles.controller.js';
import { TILES, TilesService } from './tiles.service.js';

/**
 * /tiles, answered by tile-worker over gRPC. tile-worker is not a readiness
 * dependency: while it is down these routes answer 503 and the rest of the
 * API keeps working.
 */
@Module({
  imports: [
    AuditModule,
    GrpcClientModule.register({
      upstream: TILES,
      key: 'tiles',
      service: tilesV1.TILE_SERVICE_NAME,
      url: (config: GatewayConfig) => config.TILES_GRPC_URL,
      timeoutMs: (config: GatewayConfig) => config.UPSTREAM_TIMEOUT_MS,
    }),
  ],
  controllers: [TilesController],
  providers: [TilesService],
})
export class TilesModule {}
