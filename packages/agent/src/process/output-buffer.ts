/** Keeps the first `limit` bytes of a stream and remembers whether anything was cut. */
export class CappedOutput {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  truncated = false;

  constructor(private readonly limit: number) {}

  push(chunk: Buffer): void {
    const room = this.limit - this.size;
    if (chunk.length > room) this.truncated = true;
    if (room <= 0) return;
    const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.chunks.push(kept);
    this.size += kept.length;
  }

  text(): string {
    const bytes = Buffer.concat(this.chunks, this.size);
    // A cut may split a multi-byte character; drop the partial one rather than emit U+FFFD.
    return this.truncated ? trimPartialUtf8(bytes).toString('utf8') : bytes.toString('utf8');
  }
}

/** Keeps the last `limit` bytes of a stream (the summary a streamed RESULT carries) and counts them all. */
export class TailOutput {
  private tail: Buffer = Buffer.alloc(0);
  total = 0;

  constructor(private readonly limit: number) {}

  get truncated(): boolean {
    return this.total > this.limit;
  }

  push(chunk: Buffer): void {
    this.total += chunk.length;
    const joined = this.tail.length === 0 ? chunk : Buffer.concat([this.tail, chunk]);
    this.tail = joined.length > this.limit ? Buffer.from(joined.subarray(joined.length - this.limit)) : joined;
  }

  text(): string {
    if (!this.truncated) return this.tail.toString('utf8');
    // The cut may start inside a multi-byte character: skip its continuation bytes.
    let start = 0;
    while (start < this.tail.length && start < 3 && (this.tail[start]! & 0xc0) === 0x80) start++;
    return this.tail.subarray(start).toString('utf8');
  }
}

function trimPartialUtf8(b: Buffer): Buffer {
  let i = b.length - 1;
  let continuation = 0;
  while (i >= 0 && continuation < 3 && (b[i]! & 0xc0) === 0x80) {
    i--;
    continuation++;
  }
  if (i < 0) return b;
  const lead = b[i]!;
  const need = lead >= 0xf0 ? 3 : lead >= 0xe0 ? 2 : lead >= 0xc0 ? 1 : 0;
  return need > continuation ? b.subarray(0, i) : b;
}
