import type { OutputBody } from './session-link.js';

export interface OutputBacklogOptions {
  /** What the backlog holds at most (base64 bytes of the frames' data); past it new pieces are dropped. */
  maxBytes: number;
  /** Frames sent per tick while draining: with `tickMs`, the replay's rate, under the hub's inbound limits. */
  framesPerTick?: number;
  tickMs?: number;
  /** Called once per execution whose output did not fit (the first piece dropped). */
  onDrop?: (executionId: string) => void;
}

/**
 * OUTPUT the agent produced while no session could take it (the hub connection
 * dropped mid-run), kept in order and sent when a session is established again,
 * paced so that the replay does not trip the hub's per-connection rate limit.
 * The command service stores chunks by (execution, stream, offset), so a piece
 * that arrives after its execution's RESULT, or twice, is still stored once.
 * Memory only: a piece in it is lost if the agent itself dies.
 */
export class OutputBacklog {
  private queue: OutputBody[] = [];
  /** Index of the next piece to send: the queue is cut only when it empties (no O(n) shift per piece). */
  private head = 0;
  private queuedBytes = 0;
  private draining: NodeJS.Timeout | undefined;
  private readonly dropping = new Set<string>();
  /** Pieces dropped because the backlog was full, since start. */
  dropped = 0;

  constructor(
    private readonly send: (body: OutputBody) => boolean,
    private readonly opts: OutputBacklogOptions,
  ) {}

  get size(): number {
    return this.queue.length - this.head;
  }

  get bytes(): number {
    return this.queuedBytes;
  }

  /** Sends at once when nothing waits and a session takes it; else keeps it behind what waits. */
  offer(body: OutputBody): void {
    if (this.size === 0 && this.send(body)) return;
    if (this.queuedBytes + body.data.length > this.opts.maxBytes) {
      this.dropped++;
      if (!this.dropping.has(body.executionId)) {
        this.dropping.add(body.executionId);
        this.opts.onDrop?.(body.executionId);
      }
      return;
    }
    this.queue.push(body);
    this.queuedBytes += body.data.length;
  }

  /** A session was established: drain, a tick's worth at a time, until empty or the session is gone. */
  resume(): void {
    if (this.draining || this.size === 0) return;
    this.draining = setInterval(() => this.drainTick(), this.opts.tickMs ?? 200);
    this.drainTick();
  }

  stop(): void {
    clearInterval(this.draining);
    this.draining = undefined;
  }

  /** Forgets what waits (the new session does not stream output, so none of it may be sent). */
  clear(): number {
    const n = this.size;
    this.stop();
    this.reset();
    return n;
  }

  private drainTick(): void {
    for (let i = 0; i < (this.opts.framesPerTick ?? 10) && this.size > 0; i++) {
      const next = this.queue[this.head]!;
      // Refused: the session went away again; the next one resumes.
      if (!this.send(next)) return this.stop();
      this.head++;
      this.queuedBytes -= next.data.length;
    }
    if (this.size === 0) {
      this.stop();
      this.reset();
    }
  }

  private reset(): void {
    this.queue = [];
    this.head = 0;
    this.queuedBytes = 0;
    // A later overflow is a new gap, worth its own warning.
    this.dropping.clear();
  }
}
