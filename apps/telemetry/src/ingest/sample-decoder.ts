import { telemetrySampleSchema, type TelemetrySample } from '@fleetplane/contracts';
import { newestAccepted, oldestAccepted, type PartitionedTable } from '../storage/partition-plan.js';

export type DeadLetterReason = 'not_json' | 'invalid_sample' | 'past_retention' | 'in_future';

export type Decoded = { ok: true; sample: TelemetrySample } | { ok: false; reason: DeadLetterReason; detail: string };

/**
 * What a message on the TELEMETRY stream is: a sample the tables can hold, or poison that no
 * retry would ever store (not JSON, not a sample, or outside the time the partitions cover).
 */
export function decodeSample(data: Uint8Array, raw: PartitionedTable, nowMs: number): Decoded {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(data));
  } catch (err) {
    return { ok: false, reason: 'not_json', detail: (err as Error).message };
  }
  const parsed = telemetrySampleSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: 'invalid_sample', detail: `${issue?.path.join('.') || '(sample)'}: ${issue?.message}` };
  }
  const at = Date.parse(parsed.data.takenAt);
  if (at < oldestAccepted(raw, nowMs)) return { ok: false, reason: 'past_retention', detail: `takenAt ${parsed.data.takenAt} is older than the raw retention` };
  if (at > newestAccepted(nowMs)) return { ok: false, reason: 'in_future', detail: `takenAt ${parsed.data.takenAt} is too far ahead of this clock` };
  return { ok: true, sample: parsed.data };
}
