import type { Priority } from '../api/schemas.js';
import type { Context } from '../context.js';
import { EXIT_OK } from '../errors.js';
import { exitCodeFor, printResults, waitForCommand } from './results.js';

export interface SubmitOptions {
  priority?: Priority;
  timeout?: number;
  /** commander's --no-wait sets wait=false. */
  wait?: boolean;
  idempotencyKey?: string;
}

/** Past the command's own timeout, how long the agent and the pipeline get to report back. */
export const WAIT_MARGIN_MS = 30_000;

/**
 * Submits a command and (unless --no-wait) waits for it, printing the remote output (or, with
 * --output json|yaml, the finished command) and returning the exit code `run` should exit with.
 */
export async function submitAndWait(ctx: Context, verb: string, params: Record<string, unknown>, targets: string[], opts: SubmitOptions): Promise<number> {
  const api = await ctx.client();
  const submitted = await api.submitCommand({
    verb,
    params,
    targets,
    ...(opts.priority ? { priority: opts.priority } : {}),
    ...(opts.timeout ? { timeoutSeconds: opts.timeout } : {}),
    ...(opts.idempotencyKey ? { idempotencyKey: opts.idempotencyKey } : {}),
  });
  if (opts.wait === false) {
    await ctx.print(submitted, () => `${submitted.id}\n`);
    return EXIT_OK;
  }
  const done = await waitForCommand((id) => api.getCommand(id), submitted.id, {
    timeoutMs: submitted.timeoutSeconds * 1000 + WAIT_MARGIN_MS,
    ...(ctx.sleep ? { sleep: ctx.sleep } : {}),
  });
  await ctx.print(done, () => {
    printResults(done, ctx.out, ctx.err);
    return '';
  });
  return exitCodeFor(done, targets);
}
