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
