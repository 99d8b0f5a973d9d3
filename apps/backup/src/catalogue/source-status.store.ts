import { Inject, Injectable } from '@nestjs/common';
import { PrismaClient, type SourceStatus } from '../generated/prisma/client.js';

/** The last successful backup of each source (catalogue table source_status). */
@Injectable()
export class SourceStatusStore {
  constructor(@Inject(PrismaClient) private readonly db: PrismaClient) {}

  async recordSuccess(backupId: string, sources: readonly string[], at: Date): Promise<void> {
    for (const source of sources) {
      await this.db.sourceStatus.upsert({
        where: { source },
        create: { source, lastBackupId: backupId, lastSuccessAt: at },
        update: { lastBackupId: backupId, lastSuccessAt: at },
      });
    }
  }

  all(): Promise<SourceStatus[]> {
    return this.db.sourceStatus.findMany({ orderBy: { source: 'asc' } });
  }
}
