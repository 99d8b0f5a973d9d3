import { MAX_AGENT_FRAME_BYTES, toProcessSpec, validateVerbParams, type CommandFrame, type Verb, type VerbParams } from '@fleetplane/contracts';
import { contextFromCarrier, currentTraceCarrier, inSpan, SpanKind } from '@fleetplane/observability/node';
import type { Logger } from 'pino';
import { fitResult, type ResultBody } from './fit-result.js';
import { runProcess, type ProcessResult, type RunOptions } from './run-process.js';

type Outcome = Omit<ResultBody, 'type' | 'executionId' | 'trace'>;

export type RunProcess = (spec: Parameters<typeof runProcess>[0], timeoutSeconds: number, opts?: RunOptions) => Promise<ProcessResult>;

/**
 * Runs one COMMAND: validates the verb, turns it into an argv, runs it and
 * reports RUNNING then the outcome. Everything happens in a span whose parent
 * is the COMMAND's trace, and every RESULT carries that span's context.
 */
export class CommandExecutor {
  private readonly stopping = new AbortController();
  private readonly seen = new RecentIds(10_000);

  constructor(
    private readonly sendResult: (body: ResultBody) => void,
    private readonly capabilities: readonly string[],
    private readonly log: Logger,
    private readonly run: RunProcess = runProcess,
    private readonly baseEnv: NodeJS.ProcessEnv = process.env,
  ) {}

  execute(cmd: CommandFrame): Promise<void> {
    // A dispatcher that timed out waiting for the hub's reply sends the same
    // execution again; running it twice could repeat a side effect.
    if (!this.seen.add(cmd.executionId)) {
      this.log.warn({ executionId: cmd.executionId }, 'ignoring a repeated COMMAND for an execution already received');
      return Promise.resolve();
    }
    const attributes = {
      'fleetplane.execution_id': cmd.executionId,
      'fleetplane.command_id': cmd.commandId,
      'fleetplane.verb': cmd.verb,
    };
    return inSpan(`exec ${cmd.verb}`, { kind: SpanKind.CONSUMER, parent: contextFromCarrier(cmd.trace), attributes }, async (span) => {
      // Taken once, here: callbacks from the child process need not run in this span's context.
      const trace = currentTraceCarrier();
      const report = (outcome: Outcome) => this.report(cmd, outcome, trace);
      const check = validateVerbParams(cmd.verb, cmd.params);
      if (!check.ok) return report({ status: 'FAILED', error: `${check.field}: ${check.message}` });
      if (!this.capabilities.includes(cmd.verb)) return report({ status: 'FAILED', error: `verb ${cmd.verb} is not available on this agent` });
      const spec = toProcessSpec(cmd.verb as Verb, check.params as VerbParams<Verb>);
      this.log.info({ executionId: cmd.executionId, verb: cmd.verb }, 'running command');
      const result = await this.run(spec, cmd.timeoutSeconds, {
        onSpawn: () => report({ status: 'RUNNING' }),
        baseEnv: this.baseEnv,
        signal: this.stopping.signal,
      });
      if (result.exitCode !== undefined) span.setAttribute('process.exit.code', result.exitCode);
      span.setAttribute('fleetplane.status', result.status);
      this.log.info({ executionId: cmd.executionId, status: result.status, exitCode: result.exitCode }, 'command finished');
      report(result);
    });
  }

  /** Stops every running process group (the agent is shutting down: nothing may outlive it). */
  stop(): void {
    this.stopping.abort();
  }

  private report(cmd: CommandFrame, outcome: Outcome, trace: ReturnType<typeof currentTraceCarrier>): void {
    const body: ResultBody = { type: 'RESULT', executionId: cmd.executionId, ...outcome, ...(trace ? { trace } : {}) };
    this.sendResult(fitResult(body, MAX_AGENT_FRAME_BYTES));
  }
}

/** Remembers the last `limit` ids; `add` is false for one already remembered. */
class RecentIds {
  private readonly ids = new Set<string>();

  constructor(private readonly limit: number) {}

  add(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size > this.limit) this.ids.delete(this.ids.values().next().value!);
    return true;
  }
}
