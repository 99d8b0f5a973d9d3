/**
 * Optional protocol features an agent announces in HELLO (`features`). The
 * protocol version stays 1: a hub sends CANCEL and RESULT_ACK, and expects
 * OUTPUT, only from agents that announced the feature, so an older agent (no
 * `features`) keeps today's behaviour and an older hub ignores the field.
 */
export const AgentFeature = {
  /** The agent honours CANCEL: it kills the execution's process group and reports CANCELLED. */
  Cancel: 'cancel',
  /** The agent streams output as OUTPUT frames; its final RESULT keeps only a short tail. */
  Output: 'output',
  /** The agent keeps each final RESULT on disk and re-sends it after every reconnect until RESULT_ACK. */
  ResultAck: 'result-ack',
} as const;
export type AgentFeature = (typeof AgentFeature)[keyof typeof AgentFeature];

/** What the reference agent announces. */
export const REFERENCE_AGENT_FEATURES: readonly AgentFeature[] = [AgentFeature.Cancel, AgentFeature.Output, AgentFeature.ResultAck];

/** Whether a HELLO's feature list (absent for older agents) contains `feature`. */
export const hasFeature = (features: readonly string[] | undefined, feature: AgentFeature): boolean => features?.includes(feature) ?? false;
