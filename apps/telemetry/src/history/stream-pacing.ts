/** The writable side of a server-streaming call, as far as pacing needs it (Nest passes the call third). */
export interface StreamPacing {
  readonly writableNeedDrain: boolean;
  once(event: string, listener: () => void): unknown;
  off(event: string, listener: () => void): unknown;
}

// A call that ends without draining (the reader cancelled or left) ends the wait too.
const ENDS_WAIT = ['drain', 'close', 'cancelled'] as const;

/** Resolves at once when the call has room, else once it has drained or ended, leaving no listener behind. */
export function whenDrained(pacing: StreamPacing | undefined): Promise<void> {
  if (!pacing?.writableNeedDrain) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      for (const e of ENDS_WAIT) pacing.off(e, done);
      resolve();
    };
    for (const e of ENDS_WAIT) pacing.once(e, done);
  });
}
