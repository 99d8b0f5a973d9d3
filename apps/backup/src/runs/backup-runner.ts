import { RepositoryConfigError, type BackupProgress, type BackupType, type Manifest, type Repository } from '@fleetplane/backup-repository';
import type { BackupSource, SourceCapture } from '../sources/backup-source.js';

export interface BackupRequest {
  readonly type: BackupType;
  readonly sources: readonly BackupSource[];
  readonly tags?: Record<string, string>;
  /** Called every `progressIntervalMs` (default 1 s) while sources are read, with the running totals. */
  readonly onProgress?: (progress: BackupProgress) => void;
  readonly progressIntervalMs?: number;
  /** Cancels the run: the dumps are killed, what was written is deleted, nothing is committed. */
  readonly signal?: AbortSignal;
}

/** What a finished (or failed) run reports, for metrics and the catalogue. */
export interface BackupOutcome {
  readonly manifest: Manifest;
  readonly durationMs: number;
  /** Plaintext bytes of new chunks ÷ bytes stored for them (> 1 means compression paid). */
  readonly compressionRatio: number;
  /** Bytes read ÷ plaintext bytes of new chunks (> 1 means dedup saved writes). */
  readonly dedupRatio: number;
}

export interface BackupObserver {
  succeeded(outcome: BackupOutcome): void;
  failed(type: BackupType, error: unknown): void;
}

/** The sources a backup covers, as one key: an INCREMENTAL's parent is the last backup with the same key. */
export const sourceSetKey = (names: readonly string[]): string => [...names].sort().join(',');

/**
 * Takes one backup of a set of sources. It resolves the parent the type needs from the repository's
 * manifests (INCREMENTAL: the latest backup of the same sources; DIFFERENTIAL: the latest FULL of
 * them) and refuses when there is none, rather than silently taking a FULL. A SNAPSHOT opens every
 * source before reading any, so all their snapshots are taken at (nearly) one moment — separate
 * PostgreSQL databases cannot share one snapshot, this is as close as they get; the other types open
 * each source when its turn comes. A source whose capture fails fails the run; nothing is committed.
 */
export class BackupRunner {
  constructor(
    private readonly repository: Repository,
    private readonly observer: BackupObserver,
    private readonly now: () => number = Date.now,
  ) {}

  async run(request: BackupRequest): Promise<BackupOutcome> {
    const started = this.now();
    try {
      const names = request.sources.map((s) => s.name);
      if (names.length === 0) throw new RepositoryConfigError('a backup needs at least one source');
      if (new Set(names).size !== names.length) throw new RepositoryConfigError('source names must be unique');
      const key = sourceSetKey(names);
      const parent = await this.parentFor(request.type, names);
      const writer = await this.repository.startBackup({ type: request.type, parent, tags: { ...request.tags, sources: key } });
      const ticker = request.onProgress ? setInterval(() => request.onProgress!({ ...writer.progress }), request.progressIntervalMs ?? 1000) : undefined;
      const captures = new Map<string, SourceCapture>();
      const pending = new Set<SourceCapture>();
      const { signal } = request;
      const open = async (source: BackupSource) => {
        signal?.throwIfAborted();
        const capture = await source.open();
        pending.add(capture);
        return capture;
      };
      // A cancel kills the dumps at once: the read then ends (and addSource throws the signal's reason).
      const killDumps = () => {
        for (const capture of pending) capture.abort();
      };
      signal?.addEventListener('abort', killDumps, { once: true });
      try {
        if (request.type === 'SNAPSHOT') for (const source of request.sources) captures.set(source.name, await open(source));
        for (const source of request.sources) {
          const capture = captures.get(source.name) ?? (await open(source));
          await writer.addSource({ name: source.name, kind: source.kind, metadata: capture.metadata }, capture.data, signal);
          await capture.finished;
          pending.delete(capture);
        }
        signal?.throwIfAborted();
      } catch (error) {
        // Nothing of a failed or cancelled run stays: its packs were in no index or manifest.
        await writer.discard().catch(() => undefined);
        throw error;
      } finally {
        signal?.removeEventListener('abort', killDumps);
        clearInterval(ticker);
        // A failed run must not leave dumps blocked on a pipe nobody reads, holding their snapshots.
        for (const capture of pending) {
          capture.abort();
          await capture.finished.catch(() => undefined);
        }
      }
      const manifest = await writer.commit();
      const { newBytes, bytesStored, bytesRead } = manifest.stats;
      const outcome: BackupOutcome = {
        manifest,
        durationMs: this.now() - started,
        compressionRatio: bytesStored > 0 ? newBytes / bytesStored : 1,
        dedupRatio: newBytes > 0 ? bytesRead / newBytes : bytesRead > 0 ? Number.POSITIVE_INFINITY : 1,
      };
      this.observer.succeeded(outcome);
      return outcome;
    } catch (error) {
      // A cancelled run is not a failure (no alert, no failures_total).
      if (!request.signal?.aborted) this.observer.failed(request.type, error);
      throw error;
    }
  }

  /** The backup a new one of this type builds on; refuses (RepositoryConfigError) when the type needs one and there is none. */
  async parentFor(type: BackupType, names: readonly string[]): Promise<string | undefined> {
    if (type === 'FULL' || type === 'SNAPSHOT') return undefined;
    const key = sourceSetKey(names);
    // Backup ids sort by time: walk newest first.
    for (const id of (await this.repository.listBackups()).reverse()) {
      const manifest = await this.repository.readManifest(id);
      if (manifest.tags.sources !== key) continue;
      if (type === 'INCREMENTAL' || manifest.type === 'FULL') return manifest.id;
    }
    throw new RepositoryConfigError(`${type} needs a previous ${type === 'DIFFERENTIAL' ? 'FULL ' : ''}backup of sources ${key}: take a FULL first`);
  }
}
