/**
 * Which partition failures a retry can fix: the thread was lost (it crashed
 * or was terminated), ran out of heap, or ran past the partition timeout —
 * each about the thread, not the data. An error the program's own loop
 * throws would throw again, so it fails the job at once (undefined).
 */
export function retryReason(err: unknown, timedOut: boolean): 'timeout' | 'out_of_memory' | 'thread_lost' | undefined {
  if (timedOut) return 'timeout';
  const e = err as { code?: unknown; message?: unknown } | null;
  if (e?.code === 'ERR_WORKER_OUT_OF_MEMORY') return 'out_of_memory';
  if (typeof e?.message === 'string' && /worker exited|terminated/i.test(e.message)) return 'thread_lost';
  return undefined;
}
