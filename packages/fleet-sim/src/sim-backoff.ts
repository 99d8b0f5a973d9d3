import { DEFAULT_BACKOFF, ReconnectSchedule, type BackoffPolicy } from '@fleetplane/agent';

/**
 * The reference agent's own ReconnectSchedule, imported rather than copied, so a simulated reconnect
 * storm is the real fleet's: `afterClose` is the one decision HubClient makes too (a 4429 refusal waits
 * its retry-after-ms hint plus jitter, a dropped session is spread over the first-reconnect window, a
 * failed attempt grows by decorrelated jitter).
 */
export const newReconnectSchedule = (changes: Partial<BackoffPolicy> = {}): ReconnectSchedule => new ReconnectSchedule({ ...DEFAULT_BACKOFF, ...changes });
export type { ReconnectSchedule };
