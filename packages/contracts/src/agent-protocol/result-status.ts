import { resultStatusSchema, type ResultStatus } from './messages.js';

/**
 * Every final status an agent can reach. CANCELLED (stopped by a CANCEL) and
 * REJECTED (the agent refused to run it: unknown verb, bad params, its local
 * queue full) are newer than protocol v1's RESULT: a hub that names no
 * feature in HELLO_ACK does not know them (it would refuse the frame), and
 * they reach the wire only once `resultStatusSchema` lists them.
 */
export type AgentResultStatus = ResultStatus | 'CANCELLED' | 'REJECTED';

const carried = new Set<string>(resultStatusSchema.options);

/** The status to put in a RESULT for this session: a newer one the hub or the protocol cannot take becomes FAILED (`error` still says why), as agents reported it before. */
export function wireResultStatus(status: AgentResultStatus, hubUsesFeatures: boolean): ResultStatus {
  if (status === 'CANCELLED' || status === 'REJECTED') return hubUsesFeatures && carried.has(status) ? status : 'FAILED';
  return status;
}
