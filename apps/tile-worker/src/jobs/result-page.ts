import { z } from 'zod';
import { PageTokenCodec } from '@fleetplane/service-kit';
import type { tilesV1 } from '@fleetplane/contracts/grpc';

/** Where the previous page of a job's results ended: sink index and row offset within it. */
export const resultCursorCodec = new PageTokenCodec(z.object({ sink: z.number().int().min(0), offset: z.number().int().min(0) }), 'GetJob results');

/**
 * One page of a job's results: up to `limit` rows across the sinks in
 * program order, each sink's slice with its total, and where to continue.
 */
export function resultPage(
  outputs: Readonly<Record<string, readonly unknown[]>>,
  sinks: readonly string[],
  from: { sink: number; offset: number },
  limit: number,
): { results: tilesV1.SinkRows[]; next?: { sink: number; offset: number } } {
  const results: tilesV1.SinkRows[] = [];
  let left = limit;
  let sink = from.sink;
  let offset = from.offset;
  while (sink < sinks.length && left > 0) {
    const id = sinks[sink] as string;
    const rows = outputs[id] ?? [];
    const slice = rows.slice(offset, offset + left);
    results.push({ sinkId: id, rowsJson: JSON.stringify(slice), totalRows: rows.length, offset });
    left -= slice.length;
    offset += slice.length;
    if (offset >= rows.length) {
      sink++;
      offset = 0;
    }
  }
  const more = sinks.slice(sink).some((id, i) => (outputs[id]?.length ?? 0) > (i === 0 ? offset : 0));
  return { results, ...(more ? { next: { sink, offset } } : {}) };
}
