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

  /**
   * Stores a batch of chunks in one statement: the chunks (each cut at the cap; a redelivered
   * one is a no-op) and every execution's byte counters and truncated flag. Returns each chunk's
   * outcome, in order.
   */
  async appendBatch(chunks: readonly OutputChunk[], capBytes: number): Promise<AppendResult[]> {
    if (chunks.length === 0) return [];
    const cutToCap = chunks.map((c) => {
      const room = capBytes - c.offset;
      const data = room <= 0 ? Buffer.alloc(0) : c.data.subarray(0, room);
      // A stream never counts past the cap (and a chunk far beyond it names no int4 offset).
      return { ...c, offset: Math.min(c.offset, capBytes), data, cut: data.length < c.data.length, end: Math.min(c.offset + data.length, capBytes) };
    });
    const col = <T>(f: (c: (typeof cutToCap)[number]) => T) => cutToCap.map(f);
    const [row] = await this.prisma.$queryRaw<Array<{ inserted: Array<{ e: string; s: string; o: number }> | null; known: string[] | null }>>`
      WITH input AS (
        SELECT * FROM unnest(${col((c) => c.executionId)}::uuid[], ${col((c) => c.stream)}::text[], ${col((c) => c.offset)}::int[],
                             ${col((c) => c.data)}::bytea[], ${col((c) => c.end)}::int[], ${col((c) => c.cut)}::boolean[])
          AS c(execution_id, stream, "offset", data, end_offset, cut)
      ), ins AS (
        INSERT INTO execution_output_chunks (execution_id, stream, "offset", data)
        SELECT c.execution_id, c.stream::"OutputStream", c."offset", c.data FROM input c JOIN executions e ON e.id = c.execution_id
        WHERE length(c.data) > 0
        ON CONFLICT DO NOTHING
        RETURNING execution_id, stream::text, "offset"
      ), agg AS (
        SELECT execution_id, max(end_offset) FILTER (WHERE stream = 'STDOUT') AS stdout_end,
               max(end_offset) FILTER (WHERE stream = 'STDERR') AS stderr_end, bool_or(cut) AS cut
        FROM input GROUP BY execution_id
      ), upd AS (
        -- The counters only grow: chunks may arrive out of order after a redelivery.
        UPDATE executions e SET stdout_bytes = greatest(e.stdout_bytes, coalesce(a.stdout_end, 0)),
                                stderr_bytes = greatest(e.stderr_bytes, coalesce(a.stderr_end, 0)),
                                truncated = e.truncated OR a.cut
        FROM agg a WHERE e.id = a.execution_id
        RETURNING e.id
      )
      SELECT (SELECT json_agg(json_build_object('e', execution_id, 's', stream, 'o', "offset")) FROM ins) AS inserted,
             (SELECT json_agg(id) FROM upd) AS known`;
    const inserted = new Set((row?.inserted ?? []).map((i) => `${i.e}/${i.s}/${i.o}`));
    const known = new Set(row?.known ?? []);
    return cutToCap.map((c): AppendResult => {
      if (!known.has(c.executionId)) return 'unknown_execution';
      if (c.data.length === 0) return 'over_cap';
      return inserted.delete(`${c.executionId}/${c.stream}/${c.offset}`) ? 'stored' : 'duplicate';
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
