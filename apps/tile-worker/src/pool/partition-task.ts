import type { PartitionPartial } from '@fleetplane/tile-compiler';

/** One partition of one chain stage, as posted to a worker thread (structured-cloned). */
export interface PartitionTask {
  readonly programHash: string;
  /** The program as JSON text: a string clones as one copy, and a thread parses it only on its first task for the hash. */
  readonly programJson: string;
  readonly stageIndex: number;
  /** Rows as a columnar batch (row-batch.ts) or a row slice, or column arrays (on SharedArrayBuffers: shared, not copied). */
  readonly src: unknown;
  readonly start: number;
  readonly end: number;
}

export interface PartitionResult {
  readonly partial: PartitionPartial;
  readonly threadId: number;
}

/** Posted by a thread as it starts a partition (utilisation by thread; tests use it to kill a busy thread). */
export interface PartitionStarted {
  readonly kind: 'partition-started';
  readonly threadId: number;
  readonly stageIndex: number;
  readonly start: number;
}

export const isPartitionStarted = (m: unknown): m is PartitionStarted => (m as { kind?: unknown } | null)?.kind === 'partition-started';
