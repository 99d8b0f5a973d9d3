import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { ReadinessRegistry } from '@fleetplane/observability';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config.js';
import { PrismaClient } from '../generated/prisma/client.js';

/** The gateway's own database (users, tokens, API keys, audit log); /ready fails while it is unreachable. */
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleDestroy {
  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig, readiness: ReadinessRegistry) {
    super({ adapter: new PrismaPg({ connectionString: config.DATABASE_URL }) });
    readiness.register('postgres', async () => {
      await this.$queryRaw`select 1`;
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.$disconnect();
  }
}
