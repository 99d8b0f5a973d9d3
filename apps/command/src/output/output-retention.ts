import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Clock, InjectConfig, PeriodicTask } from '@fleetplane/service-kit';
import type { CommandConfig } from '../config.js';
import { OutputRepository } from './output.repository.js';

const EVERY_MS = 10 * 60_000;

/** Deletes stored output past OUTPUT_RETENTION_HOURS, every ten minutes (any instance may; the delete is idempotent). */
@Injectable()
export class OutputRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(OutputRetention.name);
  private readonly task = new PeriodicTask(() => this.sweep(), EVERY_MS);

  constructor(
    @Inject(OutputRepository) private readonly output: OutputRepository,
    @Inject(Clock) private readonly clock: Clock,
    @InjectConfig() private readonly config: Pick<CommandConfig, 'OUTPUT_RETENTION_HOURS'>,
  ) {}

  onApplicationBootstrap(): void {
    this.task.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.task.stop();
  }

  async sweep(): Promise<number> {
    try {
      const n = await this.output.deleteOlderThan(new Date(this.clock.nowMs() - this.config.OUTPUT_RETENTION_HOURS * 3600_000));
      if (n > 0) this.log.log(`deleted ${n} output chunk(s) past retention`);
      return n;
    } catch (err) {
      this.log.warn(`output retention sweep failed (next in ${EVERY_MS / 60_000} min): ${(err as Error).message}`);
      return 0;
    }
  }
}
