import { setTimeout as sleep } from 'node:timers/promises';

/** One accepted command: the gateway answered 201/202 with its id. */
export interface AcceptedCommand {
  id: string;
  /** The load's own number of the submit (unique; the reference agent writes it as its marker). */
  seq: number;
  target: string;
  acceptedAt: number;
}

export interface CommandLoadOptions {
  gatewayUrl: string;
  accessToken: string;
  /** Targets of the commands, in turn. */
  targets: () => string[];
  /** Agents whose commands append their marker to `markerFile` (the reference agents). */
  markerAgents: ReadonlySet<string>;
  markerFile: string;
  /** Submits in flight at once (default 4). */
  concurrency?: number;
  /** Pause between one worker's submits (default 0: as fast as the system answers). */
  pauseMs?: number;
}

/**
 * A steady stream of commands through the gateway's REST API, one target each, as several operators
 * and scripts would send them. A submit that fails (the gateway instance died under it, 503 while a
 * dependency is down) is counted and not retried: it was never accepted, so it owes nothing —
 * retrying could only create a second command. Every accepted one is kept for the checks.
 */
export class CommandLoad {
  readonly accepted: AcceptedCommand[] = [];
  /** Failed submits by reason (HTTP status or the socket error). */
  readonly failures: Record<string, number> = {};
  /** Times of failed submits, for recovery measurements. */
  readonly failedAt: number[] = [];
  private seq = 0;
  private running = false;
  private workers: Promise<void>[] = [];

  constructor(private readonly opts: CommandLoadOptions) {}

  start(): void {
    this.running = true;
    this.workers = Array.from({ length: this.opts.concurrency ?? 4 }, () => this.work());
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.workers);
  }

  /** The first command accepted at or after `t` (ms epoch). */
  firstAcceptedAfter(t: number): AcceptedCommand | undefined {
    return this.accepted.find((c) => c.acceptedAt >= t);
  }

  private async work(): Promise<void> {
    while (this.running) {
      await this.submitOne();
      if (this.opts.pauseMs) await sleep(this.opts.pauseMs);
    }
  }

  /** Submits one command; resolves its AcceptedCommand, or undefined when the gateway did not accept it. */
  async submitOne(): Promise<AcceptedCommand | undefined> {
    const targets = this.opts.targets();
    const seq = this.seq++;
    const target = targets[seq % targets.length]!;
    const argv = this.opts.markerAgents.has(target) ? ['sh', '-c', `echo ${seq} >> ${this.opts.markerFile}`] : ['echo', `load ${seq}`];
    try {
      const res = await fetch(`${this.opts.gatewayUrl}/api/v1/commands`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.opts.accessToken}` },
        body: JSON.stringify({ verb: 'exec', params: { argv }, targets: [target] }),
        signal: AbortSignal.timeout(15_000),
      });
      const body = (await res.json().catch(() => ({}))) as { id?: string };
      if ((res.status === 201 || res.status === 202) && body.id) {
        const c = { id: body.id, seq, target, acceptedAt: Date.now() };
        this.accepted.push(c);
        return c;
      }
      this.fail(`HTTP ${res.status}`);
    } catch (err) {
      const cause = (err as Error).cause as { code?: string } | undefined;
      this.fail(cause?.code ?? (err as Error).name);
    }
    return undefined;
  }

  private fail(reason: string): void {
    this.failures[reason] = (this.failures[reason] ?? 0) + 1;
    this.failedAt.push(Date.now());
  }
}
