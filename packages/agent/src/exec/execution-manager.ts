import {
  DEFAULT_CANCEL_GRACE_MS,
  DEFAULT_COMMAND_PRIORITY,
  MAX_AGENT_FRAME_BYTES,
  RESULT_SUMMARY_TAIL_BYTES,
  toProcessSpec,
  validateVerbParams,
  wireResultStatus,
  type CancelFrame,
  type CommandFrame,
  type CommandPriority,
  type TraceCarrier,
  type Verb,
  type VerbParams,
} from '@fleetplane/contracts';
import { contextFromCarrier, currentTraceCarrier, inSpan, SpanKind } from '@fleetplane/observability/node';
import type { Logger } from 'pino';
import { fitResult } from '../process/fit-result.js';
import { TailOutput } from '../process/output-buffer.js';
import { groupIdentity, stopOrphanedGroup, type GroupIdentity, type OrphanStop } from '../process/process-group.js';
import { runProcess, type CancelReason, type ProcessResult, type RunOptions } from '../process/run-process.js';
import type { ExecutionJournal } from '../state/execution-journal.js';
import { LocalQueue } from './local-queue.js';
import { OutputBacklog } from './output-backlog.js';
import { OutputCoalescer } from './output-coalescer.js';
import type { AgentResultBody, SessionLink } from './session-link.js';

export type RunProcess = (spec: Parameters<typeof runProcess>[0], timeoutSeconds: number, opts?: RunOptions) => Promise<ProcessResult>;

/** Produces the system.info document in-process (no child process). */
export type SystemInfoSource = () => Promise<unknown>;

type Outcome = Omit<AgentResultBody, 'type' | 'executionId' | 'trace'>;

export interface ExecutionManagerOptions {
  journal: ExecutionJournal;
  link: SessionLink;
  capabilities: readonly string[];
  log: Logger;
  maxConcurrent: number;
  maxQueued: number;
  /** OUTPUT kept while disconnected, sent after the next HELLO_ACK (bytes of base64 data); default 16 MiB. */
  outputBacklogBytes?: number;
  systemInfo: SystemInfoSource;
  run?: RunProcess;
  baseEnv?: NodeJS.ProcessEnv;
  /** Who a spawned process group is (recorded in the journal); default: read from /proc. */
  identify?: (pid: number) => GroupIdentity | undefined;
  /** Stops a group a crashed agent left running; default: SIGTERM, SIGKILL after the cancel grace period. */
  stopOrphan?: (group: GroupIdentity) => OrphanStop;
}

interface Queued {
  id: string;
  priority: CommandPriority;
  cmd: CommandFrame;
}

export const RESTARTED_DURING_EXECUTION = 'agent restarted during execution';
const ORPHAN_STOPPED = ' (its process group was still running and was stopped)';

/**
 * The agent's executions: accepts COMMANDs (each recorded in the journal before
 * anything runs, so a repeated or replayed COMMAND never runs twice), runs at most
 * `maxConcurrent` at once and queues the rest locally by priority, streams output,
 * answers CANCEL, and keeps every final RESULT in the journal until the hub
 * acknowledges it. Each execution runs in a span whose parent is the COMMAND's trace.
 */
export class ExecutionManager {
  private readonly queue: LocalQueue<Queued>;
  private readonly running = new Map<string, AbortController>();
  private readonly stopping = new AbortController();
  private readonly run: RunProcess;
  private readonly identify: (pid: number) => GroupIdentity | undefined;
  private readonly idle = new Set<() => void>();
  private readonly backlog: OutputBacklog;

  constructor(private readonly o: ExecutionManagerOptions) {
    // Room for the waiting ones plus a free slot's worth: a COMMAND passes through the queue on its way to a slot.
    this.queue = new LocalQueue(o.maxQueued + o.maxConcurrent);
    this.run = o.run ?? runProcess;
    this.identify = o.identify ?? groupIdentity;
    this.backlog = new OutputBacklog((body) => o.link.send(body), {
      maxBytes: o.outputBacklogBytes ?? 16 * 1_048_576,
      onDrop: (executionId) => o.log.warn({ executionId }, 'output backlog full while disconnected: output of this execution is being dropped'),
    });
    // Accepted before a crash and never finished: the process may have had effects, so it is not
    // run again (at most once); the hub learns it failed. A process group the dead agent left running
    // (kill -9 takes the agent, not its children) is stopped, as a cancel would have.
    const stopOrphan = o.stopOrphan ?? ((g: GroupIdentity) => stopOrphanedGroup(g, DEFAULT_CANCEL_GRACE_MS));
    for (const id of o.journal.unfinished()) {
      const group = o.journal.get(id)?.group;
      const stop = group ? stopOrphan(group) : undefined;
      const stopped = stop?.found === 'running';
      o.log.warn(
        { executionId: id, pgid: group?.pgid, processGroup: stop?.found ?? 'not started' },
        stopped
          ? 'execution interrupted by an agent restart; stopping the process group it left running, reporting it failed, not running it again'
          : 'execution interrupted by an agent restart; reporting it failed, not running it again',
      );
      o.journal.finish(id, { type: 'RESULT', executionId: id, status: 'FAILED', error: RESTARTED_DURING_EXECUTION + (stopped ? ORPHAN_STOPPED : '') });
    }
  }

  get runningCount(): number {
    return this.running.size;
  }

  get queuedCount(): number {
    return this.queue.size;
  }

  onCommand(cmd: CommandFrame): void {
    const known = this.o.journal.get(cmd.executionId);
    if (known) {
      // A retried dispatch: never run again. Finished → its result again (the hub may have missed it).
      if (known.result) this.sendFinal(known.result);
      else this.o.log.warn({ executionId: cmd.executionId }, 'ignoring a repeated COMMAND for an execution already received');
      return;
    }
    const refusal = this.refusal(cmd);
    this.o.journal.accept(cmd.executionId);
    if (refusal) {
      void this.inExecutionSpan(cmd, 'reject', (trace) => this.finish(cmd, { status: 'REJECTED', error: refusal }, trace));
      return;
    }
    this.queue.push({ id: cmd.executionId, priority: cmd.priority ?? DEFAULT_COMMAND_PRIORITY, cmd });
    this.pump();
  }

  onCancel(c: CancelFrame): void {
    const queued = this.queue.remove(c.executionId);
    if (queued) {
      this.o.log.info({ executionId: c.executionId }, 'cancelled before it started');
      return this.finish(queued.cmd, { status: 'CANCELLED', error: 'cancelled before it started' }, queued.cmd.trace);
    }
    const running = this.running.get(c.executionId);
    if (running && !running.signal.aborted) {
      this.o.log.info({ executionId: c.executionId, graceMs: c.graceMs }, 'cancelling a running execution');
      running.abort(c.graceMs !== undefined ? ({ graceMs: c.graceMs } satisfies CancelReason) : undefined);
    }
    // Unknown or already finished: nothing to do (a CANCEL may be repeated).
  }

  onResultAck(executionId: string): void {
    this.o.journal.ack(executionId);
  }

  /** A session was established: every final RESULT not yet acknowledged goes (again), and the output kept meanwhile. */
  onEstablished(): void {
    for (const result of this.o.journal.unacked()) this.sendFinal(result);
    if (this.o.link.features().output) this.backlog.resume();
    else if (this.backlog.size > 0)
      this.o.log.warn({ pieces: this.backlog.clear() }, 'the hub does not take OUTPUT now: output kept while disconnected dropped');
  }

  /** The agent is stopping: running process groups are stopped, queued executions reported as not run. */
  stop(): void {
    this.stopping.abort();
    this.backlog.stop();
    for (const q of this.queue.drain()) this.finish(q.cmd, { status: 'FAILED', error: 'the agent stopped before it ran' }, q.cmd.trace);
  }

  /** Resolves once nothing runs and nothing waits (tests). */
  whenIdle(): Promise<void> {
    if (this.running.size === 0 && this.queue.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.add(resolve));
  }

  private refusal(cmd: CommandFrame): string | undefined {
    const check = validateVerbParams(cmd.verb, cmd.params);
    if (!check.ok) return `${check.field}: ${check.message}`;
    if (!this.o.capabilities.includes(cmd.verb)) return `verb ${cmd.verb} is not available on this agent`;
    // pump() empties the queue into free slots on every COMMAND, so it only holds executions that wait.
    if (this.running.size >= this.o.maxConcurrent && this.queue.size >= this.o.maxQueued) {
      return `the agent's queue is full (${this.o.maxQueued} executions waiting)`;
    }
    return undefined;
  }

  private pump(): void {
    while (this.running.size < this.o.maxConcurrent && !this.stopping.signal.aborted) {
      const next = this.queue.shift();
      if (!next) break;
      const cancel = new AbortController();
      this.running.set(next.id, cancel);
      void this.execute(next.cmd, cancel.signal)
        .catch((err: Error) => {
          this.o.log.error({ err: err.message, executionId: next.id }, 'execution failed to run');
          this.finish(next.cmd, { status: 'FAILED', error: `the agent could not run it: ${err.message}` }, next.cmd.trace);
        })
        .finally(() => {
          this.running.delete(next.id);
          this.pump();
          if (this.running.size === 0 && this.queue.size === 0) {
            for (const resolve of this.idle) resolve();
            this.idle.clear();
          }
        });
    }
  }

  private execute(cmd: CommandFrame, cancel: AbortSignal): Promise<void> {
    return this.inExecutionSpan(cmd, 'run', async (trace, span) => {
      const output = new OutputCoalescer((piece) => this.sendOutput(cmd.executionId, piece), { capBytes: cmd.outputCapBytes });
      this.o.log.info({ executionId: cmd.executionId, verb: cmd.verb }, 'running command');
      const result = cmd.verb === 'system.info' ? await this.systemInfo(cmd, output, trace) : await this.runVerb(cmd, cancel, output, trace);
      output.close();
      if (result.exitCode !== undefined) span.setAttribute('process.exit.code', result.exitCode);
      span.setAttribute('fleetplane.status', result.status);
      this.o.log.info({ executionId: cmd.executionId, status: result.status, exitCode: result.exitCode }, 'command finished');
      this.finish(cmd, this.outcome(result, output.truncated), trace);
    });
  }

  private runVerb(cmd: CommandFrame, cancel: AbortSignal, output: OutputCoalescer, trace: TraceCarrier | undefined): Promise<ProcessResult> {
    const params = validateVerbParams(cmd.verb, cmd.params);
    const spec = toProcessSpec(cmd.verb as Verb, (params.ok ? params.params : {}) as VerbParams<Verb>);
    return this.run(spec, cmd.timeoutSeconds, {
      onSpawn: (pid) => {
        const group = this.identify(pid);
        if (group) this.o.journal.started(cmd.executionId, group);
        this.sendRunning(cmd, trace);
      },
      onOutput: (stream, chunk) => output.push(stream, chunk),
      baseEnv: this.o.baseEnv ?? process.env,
      signal: this.stopping.signal,
      cancel,
    });
  }

  private async systemInfo(cmd: CommandFrame, output: OutputCoalescer, trace: TraceCarrier | undefined): Promise<ProcessResult> {
    this.sendRunning(cmd, trace);
    const text = `${JSON.stringify(await this.o.systemInfo(), null, 2)}\n`;
    output.push('stdout', Buffer.from(text));
    const tail = new TailOutput(RESULT_SUMMARY_TAIL_BYTES);
    tail.push(Buffer.from(text));
    return {
      status: 'COMPLETED',
      exitCode: 0,
      stdout: text,
      stderr: '',
      truncated: false,
      tail: { stdout: tail.text(), stderr: '', truncated: tail.truncated },
      outputBytes: { stdout: tail.total, stderr: 0 },
    };
  }

  /** With "output" the RESULT keeps a tail (the full output went as OUTPUT frames); without, the old inline output. */
  private outcome(r: ProcessResult, cappedWhileStreaming: boolean): Outcome {
    const streamed = this.o.link.features().output;
    return {
      status: r.status,
      ...(r.exitCode !== undefined ? { exitCode: r.exitCode } : {}),
      ...(r.error !== undefined ? { error: r.error } : {}),
      stdout: streamed ? r.tail.stdout : r.stdout,
      stderr: streamed ? r.tail.stderr : r.stderr,
      truncated: streamed ? r.tail.truncated || cappedWhileStreaming : r.truncated,
      outputBytes: r.outputBytes,
    };
  }

  private sendRunning(cmd: CommandFrame, trace: TraceCarrier | undefined): void {
    this.o.link.send({ type: 'RESULT', executionId: cmd.executionId, status: 'RUNNING', ...(trace ? { trace } : {}) });
  }

  private sendOutput(executionId: string, piece: Parameters<ConstructorParameters<typeof OutputCoalescer>[0]>[0]): void {
    // While disconnected a piece waits in the backlog (features() are the last session's until the next HELLO_ACK).
    if (this.o.link.features().output) this.backlog.offer({ type: 'OUTPUT', executionId, ...piece });
  }

  /** Journal first, then the wire: a crash between the two re-sends it after the restart. */
  private finish(cmd: CommandFrame, outcome: Outcome, trace: TraceCarrier | undefined): void {
    const body = fitResult<AgentResultBody>({ type: 'RESULT', executionId: cmd.executionId, ...outcome, ...(trace ? { trace } : {}) }, MAX_AGENT_FRAME_BYTES);
    this.o.journal.finish(cmd.executionId, body);
    this.sendFinal(body);
  }

  private sendFinal(body: AgentResultBody): void {
    const f = this.o.link.features();
    // CANCELLED / REJECTED only to a hub that knows them; an older one gets FAILED (with the same error), as before.
    const sent = this.o.link.send({ ...body, status: wireResultStatus(body.status, f.cancel || f.output || f.resultAck) });
    // A hub without "result-ack" never acknowledges: sending is all it gets, as before.
    if (sent && !this.o.link.features().resultAck) this.o.journal.ack(body.executionId);
  }

  private inExecutionSpan(
    cmd: CommandFrame,
    what: 'run' | 'reject',
    fn: (trace: TraceCarrier | undefined, span: { setAttribute(k: string, v: string | number): unknown }) => void | Promise<void>,
  ): Promise<void> {
    const attributes = {
      'fleetplane.execution_id': cmd.executionId,
      'fleetplane.command_id': cmd.commandId,
      'fleetplane.verb': cmd.verb,
      'fleetplane.step': what,
    };
    return inSpan(`exec ${cmd.verb}`, { kind: SpanKind.CONSUMER, parent: contextFromCarrier(cmd.trace), attributes }, async (span) => {
      // Taken once, here: callbacks from the child process need not run in this span's context.
      await fn(currentTraceCarrier(), span);
    });
  }
}
