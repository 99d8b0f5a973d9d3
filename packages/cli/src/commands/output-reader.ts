import type { ApiClient } from '../api/client.js';
import type { OutputStream } from '../api/schemas.js';
import type { Writer } from './results.js';

export interface CopyOutputOptions {
  /** Keep reading until the execution finished (`complete`), polling for what it adds. */
  follow?: boolean;
  /** While following: stop at the next poll once this says so (the wait around it gave up). */
  stopped?: () => boolean;
  sleep?: (ms: number) => Promise<void>;
  /** Each line gets this prefix (several targets); none: the bytes as the program wrote them. */
  prefix?: string;
}

const FIRST_POLL_MS = 200;
const MAX_POLL_MS = 2_000;

/**
 * Copies one stream of an execution's output to `out`, range after range from offset 0
 * (GET …/output, base64 decoded, UTF-8 decoded across range boundaries). Without `follow` it stops
 * at what is stored now; with it, it polls (200 ms backing off to 2 s while nothing comes) until
 * the execution finished and everything was read. Returns whether the stored output was cut at
 * the per-execution cap.
 */
export async function copyOutput(
  api: Pick<ApiClient, 'getOutput'>,
  commandId: string,
  executionId: string,
  stream: OutputStream,
  out: Writer,
  opts: CopyOutputOptions = {},
): Promise<{ truncated: boolean; bytes: number }> {
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const decoder = new TextDecoder();
  const lines = new LinePrefixer(out, opts.prefix ?? '');
  let offset = 0;
  let delay = FIRST_POLL_MS;
  for (;;) {
    const r = await api.getOutput(commandId, executionId, stream, offset);
    const bytes = Buffer.from(r.data, 'base64');
    if (bytes.length > 0) lines.write(decoder.decode(bytes, { stream: true }));
    const advanced = r.nextOffset > offset;
    offset = r.nextOffset;
    const caughtUp = offset >= r.storedBytes;
    const finished = (caughtUp ? !opts.follow || r.complete : !advanced && !opts.follow) || (opts.stopped?.() ?? false);
    // (More stored but none handed over, without --follow: stop rather than ask forever.)
    if (finished) {
      lines.write(decoder.decode());
      lines.end();
      return { truncated: r.truncated, bytes: offset };
    }
    if (!caughtUp && advanced) continue;
    // Quick again after new bytes, backing off while none come.
    if (advanced) delay = FIRST_POLL_MS;
    await sleep(delay);
    delay = Math.min(MAX_POLL_MS, delay * 2);
  }
}

/** Prefixes every line written through it (nothing to do without a prefix); a line is prefixed when it starts. */
class LinePrefixer {
  private atLineStart = true;
  constructor(
    private readonly out: Writer,
    private readonly prefix: string,
  ) {}

  write(text: string): void {
    if (!text) return;
    if (!this.prefix) {
      this.out.write(text);
      return;
    }
    let s = '';
    for (const ch of text) {
      if (this.atLineStart) s += this.prefix;
      s += ch;
      this.atLineStart = ch === '\n';
    }
    this.out.write(s);
  }

  /** A last line without its newline gets one, so the next target's starts on its own. */
  end(): void {
    if (this.prefix && !this.atLineStart) this.out.write('\n');
    this.atLineStart = true;
  }
}
