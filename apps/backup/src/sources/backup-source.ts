/**
 * Something the backup service can capture: it opens a consistent read of itself and streams it as
 * bytes, with metadata the matching restorer needs back. PostgreSQL databases are the only kind
 * today; another kind (a directory, a Redis RDB) implements this interface.
 */
export interface BackupSource {
  /** Unique within a backup: the name a restore asks for. */
  readonly name: string;
  /** The restorer that understands the bytes, e.g. `postgres`. */
  readonly kind: string;
  /** Starts the capture. The stream must be consumed to its end; `finished` then resolves or rejects. */
  open(): Promise<SourceCapture>;
}

export interface SourceCapture {
  readonly data: AsyncIterable<Uint8Array>;
  /** Facts taken inside the same snapshot as the data (e.g. rows per table), stored in the manifest. */
  readonly metadata: Record<string, unknown>;
  /** Resolves once the capture is complete and consistent; rejects if the dump failed (the backup is then not committed). */
  readonly finished: Promise<void>;
  /** Stops a capture that will not be read to its end (the backup failed): no dump or snapshot is left behind. */
  abort(): void;
}
