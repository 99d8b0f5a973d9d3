import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module.js';
import { IngestModule } from '../ingest/ingest.module.js';
import { AlertEngine } from './alert-engine.js';
import { AlertEvaluationStore } from './alert-evaluation.store.js';
import { AlertEvents } from './alert-events.js';
import { AlertMetrics } from './alert-metrics.js';
import { AlertRulesRepository } from './alert-rules.repository.js';
import { AlertsGrpcController } from './alerts.grpc-controller.js';
import { AlertsService } from './alerts.service.js';
import { NoDataSweep } from './no-data-sweep.js';
import { RuleCache } from './rule-cache.js';

/** Threshold alerts: evaluated on every stored batch, no-data swept, served as AlertService. */
@Module({
  imports: [IngestModule, AgentsModule],
  controllers: [AlertsGrpcController],
  providers: [AlertMetrics, AlertRulesRepository, RuleCache, AlertEvaluationStore, AlertEvents, AlertEngine, NoDataSweep, AlertsService],
})
export class AlertsModule {}
