import { MAX_OUTPUT_CHUNK_BYTES, OUTPUT_FLUSH_BYTES, OUTPUT_FLUSH_INTERVAL_MS, type OutputStream } from '@fleetplane/contracts';

/** One OUTPUT frame's worth: the body without type and execution id. */
export interface OutputPiece {
  stream: OutputStream;
  seq: number;
  offset: number;
  /** base64 of at most MAX_OUTPUT_CHUNK_BYTES bytes. */
  data: string;
}

export interface CoalescerOptions {
  /** Bytes per stream streamed at most (the command's outputCapBytes); past it the rest is dropped and `truncated` set. */
  capBytes?: number | undefined;
  flushIntervalMs?: number;
  flushBytes?: number;
  maxChunkBytes?: number;
}

/**
 * Turns a process's many small writes into few OUTPUT frames: what arrives is
 * buffered and flushed OUTPUT_FLUSH_INTERVAL_MS after the first unsent byte, or
 * at once when OUTPUT_FLUSH_BYTES are buffered, in pieces of at most
 * MAX_OUTPUT_CHUNK_BYTES. So a process printing a line per microsecond costs ~10
 * frames a second, and a fast bulk writer 32 KiB frames — never a frame per write.
 */
export class OutputCoalescer {
  private readonly pending: Record<OutputStream, Buffer[]> = { stdout: [], stderr: [] };
  private readonly pendingBytes: Record<OutputStream, number> = { stdout: 0, stderr: 0 };
  /** Bytes accepted for streaming (sent or pending) per stream: the next piece's offset once pending is sent. */
  private readonly streamed: Record<OutputStream, number> = { stdout: 0, stderr: 0 };
  private readonly sentOffset: Record<OutputStream, number> = { stdout: 0, stderr: 0 };
  /** Bytes the process wrote per stream, capped or not. */
  readonly produced: Record<OutputStream, number> = { stdout: 0, stderr: 0 };
  private seq = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Set once output was dropped at the cap. */
  truncated = false;

  constructor(
    private readonly send: (piece: OutputPiece) => void,
    private readonly opts: CoalescerOptions = {},
  ) {}

  push(stream: OutputStream, chunk: Buffer): void {
    this.produced[stream] += chunk.length;
    if (this.closed) return;
    const room = (this.opts.capBytes ?? Infinity) - this.streamed[stream];
    if (chunk.length > room) this.truncated = true;
    if (room <= 0) return;
    const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.pending[stream].push(kept);
    this.pendingBytes[stream] += kept.length;
    this.streamed[stream] += kept.length;
    if (this.pendingBytes.stdout + this.pendingBytes.stderr >= (this.opts.flushBytes ?? OUTPUT_FLUSH_BYTES)) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.opts.flushIntervalMs ?? OUTPUT_FLUSH_INTERVAL_MS);
  }

  /** Sends what is buffered and stops: the process ended (its RESULT follows the last piece). */
  close(): void {
    this.flush();
    this.closed = true;
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const max = this.opts.maxChunkBytes ?? MAX_OUTPUT_CHUNK_BYTES;
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.pendingBytes[stream] === 0) continue;
      const bytes = Buffer.concat(this.pending[stream], this.pendingBytes[stream]);
      this.pending[stream] = [];
      this.pendingBytes[stream] = 0;
      for (let at = 0; at < bytes.length; at += max) {
        const piece = bytes.subarray(at, at + max);
        this.send({ stream, seq: this.seq++, offset: this.sentOffset[stream], data: piece.toString('base64') });
        this.sentOffset[stream] += piece.length;
      }
    }
  }
}
