import { Observable } from 'rxjs';
import type { agentHubV1 } from '@fleetplane/contracts/grpc';
import type { AgentFilter } from './agent-filter.js';
import type { SelectedRow } from './registry.repository.js';

/** Reads one page of the selection after `afterId` (undefined: from the start). */
export type SelectPageReader = (f: AgentFilter, afterId: string | undefined, limit: number) => Promise<SelectedRow[]>;

/** The writable side of a server-streaming call, as far as pacing needs it. */
export interface StreamPacing {
  readonly writableNeedDrain: boolean;
  once(event: string, listener: () => void): unknown;
  off(event: string, listener: () => void): unknown;
}

/**
 * The selection as a stream of pages read one keyset page at a time: one
 * page in memory (plus what the transport holds), never the whole result.
 * The next page is read only once the call has drained the previous one, so a
 * slow reader slows the queries instead of filling the hub's memory. Stops
 * reading when the caller goes away (unsubscribe).
 */
export function selectStream(read: SelectPageReader, f: AgentFilter, pageSize: number, pacing?: StreamPacing): Observable<agentHubV1.SelectAgentsResponse> {
  return new Observable((subscriber) => {
    let stopped = false;
    void (async () => {
      let after: string | undefined;
      for (;;) {
        const rows = await read(f, after, pageSize);
        if (stopped) return;
        if (rows.length > 0) subscriber.next({ agents: rows });
        if (rows.length < pageSize) return subscriber.complete();
        after = rows[rows.length - 1]!.id;
        if (pacing?.writableNeedDrain) await drained(pacing);
        if (stopped) return;
      }
    })().catch((err: unknown) => subscriber.error(err));
    return () => {
      stopped = true;
    };
  });
}

/**
 * The reader for a selector that names ids (up to 100,000): the ids sorted
 * once, and each query given at most a page's worth of them, so no query
 * binds the whole list or scans past the page it needs. Queries go on until
 * the page is full or the ids run out, since some ids may not match the rest
 * of the selector. The cursor is this reader's position in the list, not `after`.
 */
export function byIdChunks(ids: readonly string[], read: SelectPageReader): SelectPageReader {
  const sorted = [...new Set(ids)].sort();
  let next = 0;
  return async (f, _after, limit) => {
    const page: SelectedRow[] = [];
    while (page.length < limit && next < sorted.length) {
      const chunk = sorted.slice(next, next + limit - page.length);
      next += chunk.length;
      page.push(...(await read({ ...f, agentIds: chunk }, undefined, chunk.length)));
    }
    return page;
  };
}

// A call that ends without draining (the reader cancelled or left) ends the wait too.
const ENDS_WAIT = ['drain', 'close', 'cancelled'] as const;

/** Resolves once the call has drained or ended, leaving no listener behind. */
function drained(pacing: StreamPacing): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      for (const e of ENDS_WAIT) pacing.off(e, done);
      resolve();
    };
    for (const e of ENDS_WAIT) pacing.once(e, done);
  });
}
