import { NotFoundError, type Repository } from '@fleetplane/backup-repository';
import type { PostgresRestorer, RestoreCheck } from '../restore/postgres-restorer.js';

export interface RestoreRequest {
  readonly backupId: string;
  /** Source name → the new database to restore it into. Every named source must be in the backup. */
  readonly targets: Record<string, string>;
  /** Only list what would be restored. */
  readonly dryRun?: boolean;
  /** Cancels the restore: pg_restore is killed and the database it was filling dropped. */
  readonly signal?: AbortSignal;
}

export interface RestorePlanItem {
  readonly source: string;
  readonly kind: string;
  readonly bytes: number;
  readonly chunks: number;
  readonly target: string;
  readonly tables: Record<string, number>;
}

export interface RestoreResult {
  readonly plan: RestorePlanItem[];
  /** Per source, once restored: row counts compared with the manifest (absent on a dry run). */
  readonly checks: RestoreCheck[];
}

/**
 * Restores sources of a backup into named databases and checks them. A restore whose row counts
 * do not match is reported as failed (the database is left for inspection, not dropped).
 */
export class RestoreRunner {
  constructor(
    private readonly repository: Repository,
    private readonly restorers: { postgres: PostgresRestorer },
  ) {}

  async run(request: RestoreRequest): Promise<RestoreResult> {
    const manifest = await this.repository.readManifest(request.backupId);
    const plan: RestorePlanItem[] = [];
    for (const [name, target] of Object.entries(request.targets)) {
      const source = manifest.sources.find((s) => s.name === name);
      if (!source) throw new NotFoundError(`backup ${manifest.id} has no source "${name}" (it has ${manifest.sources.map((s) => s.name).join(', ')})`);
      const rowCounts = (source.metadata as { rowCounts?: Record<string, number> }).rowCounts ?? {};
      plan.push({ source: name, kind: source.kind, bytes: source.size, chunks: source.chunks.length, target, tables: rowCounts });
    }
    if (request.dryRun) return { plan, checks: [] };
    const checks: RestoreCheck[] = [];
    for (const item of plan) {
      request.signal?.throwIfAborted();
      const source = manifest.sources.find((s) => s.name === item.source)!;
      if (source.kind !== 'postgres') throw new NotFoundError(`no restorer for sources of kind "${source.kind}"`);
      checks.push(await this.restorers.postgres.restore(item.target, this.repository.restore(manifest, item.source), source.metadata, request.signal));
    }
    return { plan, checks };
  }
}
