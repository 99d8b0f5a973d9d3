import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { ReadinessRegistry } from '@fleetplane/observability';
import { HUB_CONFIG, type HubConfig } from '../config.js';
import { PrismaClient } from '../generated/prisma/client.js';

/** The hub's own database (the agent registry); reports on /ready as `postgres`. */
@Injectable()
export class PrismaService implements OnModuleInit, OnApplicationShutdown {
  readonly db: PrismaClient;

  constructor(@Inject(HUB_CONFIG) config: HubConfig, private readonly readiness: ReadinessRegistry) {
    this.db = new PrismaClient({ adapter: new PrismaPg({ connectionString: config.DATABASE_URL }) });
  }

  async onModuleInit(): Promise<void> {
    await this.db.$connect();
    this.readiness.register('postgres', async () => {
      await this.db.$queryRaw`select 1`;
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.db.$disconnect();
  }
}
