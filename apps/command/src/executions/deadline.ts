/**
 * Added to a command's timeout to get each execution's run deadline: covers
 * the hop to the agent and the result's way back, so an agent that kills its
 * process at timeoutSeconds still reports TIMED_OUT itself, with its output.
 */
export const DEADLINE_GRACE_SECONDS = 5;

/** When a dispatched execution stops waiting for its result. */
export const runDeadline = (dispatchedAt: Date, timeoutSeconds: number): Date =>
  new Date(dispatchedAt.getTime() + (timeoutSeconds + DEADLINE_GRACE_SECONDS) * 1000);
