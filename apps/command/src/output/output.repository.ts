import { Inject, Injectable } from '@nestjs/common';
import { PrismaClient } from '../generated/prisma/client.js';
import type { OutputStream } from '../generated/prisma/enums.js';

export interface OutputChunk {
  executionId: string;
  stream: OutputStream;
  offset: number;
  data: Buffer;
}

export type AppendResult = 'stored' | 'duplicate' | 'over_cap' | 'unknown_execution';

export interface OutputRange {
  data: Buffer;
  offset: number;
  nextOffset: number;
  storedBytes: number;
  truncated: boolean;
  complete: boolean;
}

/**
 * Streamed output, chunk by chunk as the agent sent it. A chunk is keyed by
 * (execution, stream, offset), so a redelivered one is a no-op; the per-stream
 * byte counters on the execution say how much is stored, and a chunk past the
 * cap is cut or dropped and the execution marked truncated.
 */
@Injectable()
export class OutputRepository {
  constructor(@Inject(PrismaClient) private readonly prisma: PrismaClient) {}

  async append(c: OutputChunk, capBytes: number): Promise<AppendResult> {
    const room = capBytes - c.offset;
    const data = room <= 0 ? Buffer.alloc(0) : c.data.subarray(0, room);
    const cut = data.length < c.data.length;
    const column = c.stream === 'STDOUT' ? 'stdout_bytes' : 'stderr_bytes';
    return this.prisma.$transaction(async (tx) => {
      let stored = 0;
      if (data.length > 0) {
        stored = await tx.$executeRaw`
          INSERT INTO execution_output_chunks (execution_id, stream, "offset", data)
          SELECT id, ${c.stream}::"OutputStream", ${c.offset}, ${data} FROM executions WHERE id = ${c.executionId}::uuid
          ON CONFLICT DO NOTHING`;
      }
      // The counter only grows: chunks may arrive out of order after a redelivery.
      const end = c.offset + data.length;
      const updated = await tx.$executeRawUnsafe(
        `UPDATE executions SET ${column} = greatest(${column}, $2), truncated = truncated OR $3 WHERE id = $1::uuid`,
        c.executionId,
        end,
        cut,
      );
      if (updated === 0) return 'unknown_execution';
      if (data.length === 0) return 'over_cap';
      return stored === 1 ? 'stored' : 'duplicate';
    });
  }

  /** Up to `limit` bytes of one stream from `offset`, assembled from the chunks that overlap the range. */
  async read(executionId: string, stream: OutputStream, offset: number, limit: number): Promise<OutputRange | null> {
    const execution = await this.prisma.execution.findUnique({
      where: { id: executionId },
      select: { stdoutBytes: true, stderrBytes: true, truncated: true, finishedAt: true },
    });
    if (!execution) return null;
    const storedBytes = stream === 'STDOUT' ? execution.stdoutBytes : execution.stderrBytes;
    const end = Math.min(storedBytes, offset + limit);
    const chunks =
      end > offset
        ? await this.prisma.$queryRaw<Array<{ offset: number; data: Uint8Array }>>`
            SELECT "offset", data FROM execution_output_chunks
            WHERE execution_id = ${executionId}::uuid AND stream = ${stream}::"OutputStream"
              AND "offset" < ${end} AND "offset" + length(data) > ${offset}
            ORDER BY "offset"`
        : [];
    const out = Buffer.alloc(Math.max(0, end - offset));
    let filled = offset;
    for (const ch of chunks) {
      const buf = Buffer.from(ch.data);
      // A gap (a chunk still on its way) ends the read there: the caller asks again from nextOffset.
      if (ch.offset > filled) break;
      const from = filled - ch.offset;
      const n = buf.copy(out, filled - offset, from, Math.min(buf.length, end - ch.offset));
      filled += n;
      if (filled >= end) break;
    }
    return {
      data: out.subarray(0, filled - offset),
      offset,
      nextOffset: filled,
      storedBytes,
      truncated: execution.truncated,
      complete: execution.finishedAt !== null && filled >= storedBytes,
    };
  }

  /** Retention: output older than `before` goes (the executions and their inline summaries stay). */
  async deleteOlderThan(before: Date): Promise<number> {
    return this.prisma.executionOutputChunk.deleteMany({ where: { createdAt: { lt: before } } }).then((r) => r.count);
  }
}
