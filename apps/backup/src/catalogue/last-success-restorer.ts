import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { BackupMetrics } from '../metrics/backup-metrics.js';
import { SourceStatusStore } from './source-status.store.js';

/** Sets `last_success_timestamp_seconds` from the catalogue at start, so the alert survives restarts. */
@Injectable()
export class LastSuccessRestorer implements OnApplicationBootstrap {
  constructor(
    @Inject(SourceStatusStore) private readonly statuses: SourceStatusStore,
    @Inject(BackupMetrics) private readonly metrics: BackupMetrics,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const s of await this.statuses.all()) this.metrics.restoreLastSuccess(s.source, s.lastSuccessAt);
  }
}
