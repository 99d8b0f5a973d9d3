import { Module } from '@nestjs/common';
import { SERVICE_CONFIG } from '@fleetplane/service-kit';
import type { GatewayConfig } from '../config.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { AuditReplayer } from './audit-replayer.js';
import { AuditSpool } from './audit-spool.js';
import { AuditController } from './audit.controller.js';
import { AuditRepository } from './audit.repository.js';
import { AuditService } from './audit.service.js';
import { ExecutionAuditListener } from './execution-audit-listener.js';

/**
 * The audit log: every feature records its mutations through AuditService; admins read it at GET /audit.
 * A row the database refuses waits in AuditSpool (AUDIT_SPOOL_DIR) until AuditReplayer writes it.
 * ExecutionAuditListener adds each execution's final state (execution.updated), in batches.
 */
@Module({
  imports: [MetricsModule],
  controllers: [AuditController],
  providers: [
    AuditRepository,
    { provide: AuditSpool, inject: [SERVICE_CONFIG], useFactory: (config: GatewayConfig) => new AuditSpool(config.AUDIT_SPOOL_DIR) },
    AuditService,
    AuditReplayer,
    ExecutionAuditListener,
  ],
  exports: [AuditService],
})
export class AuditModule {}
