/**
 * Added to a command's timeout to get each execution's deadline: covers the
 * queue, the hop to the agent and the result's way back, so an agent that
 * kills its process at timeoutSeconds still reports TIMED_OUT itself.
 */
export const DEADLINE_GRACE_SECONDS = 5;

export const deadlineFor = (createdAt: Date, timeoutSeconds: number): Date => new Date(createdAt.getTime() + (timeoutSeconds + DEADLINE_GRACE_SECONDS) * 1000);

/**
 * The run time an agent is given at dispatch: the command's timeout, cut to
 * what is left before the deadline (less the grace) when it waited in the
 * queue, so the agent's own TIMED_OUT, with partial output, arrives first.
 */
export function runBudgetSeconds(timeoutSeconds: number, deadline: number, now: number): number {
  const left = Math.ceil((deadline - now) / 1000) - DEADLINE_GRACE_SECONDS;
  return Math.max(1, Math.min(timeoutSeconds, left));
}
