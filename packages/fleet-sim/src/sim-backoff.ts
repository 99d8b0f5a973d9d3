import { AgentCloseCode, parseRetryAfterMs } from '@fleetplane/contracts';
import { DEFAULT_BACKOFF, ReconnectSchedule, type BackoffPolicy } from '@fleetplane/agent';

/**
 * When a simulated agent tries again, decided exactly as the reference agent's HubClient decides it
 * (its ReconnectSchedule, imported rather than copied, so a simulated reconnect storm is the real
 * fleet's): a 4429 refusal waits its retry-after-ms hint plus jitter, a dropped session is spread over
 * the first-reconnect window, a failed attempt grows by decorrelated jitter.
 */
export function nextReconnectDelay(schedule: ReconnectSchedule, code: number, reason: string, established: boolean): number {
  const retryAfterMs = code === AgentCloseCode.TryAgainLater ? parseRetryAfterMs(reason) : undefined;
  if (retryAfterMs !== undefined) return schedule.afterRefusal(retryAfterMs);
  return established ? schedule.afterDrop() : schedule.afterFailure();
}

export const newReconnectSchedule = (changes: Partial<BackoffPolicy> = {}): ReconnectSchedule => new ReconnectSchedule({ ...DEFAULT_BACKOFF, ...changes });
export type { ReconnectSchedule };
