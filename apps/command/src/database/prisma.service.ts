import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.js';

/** The service's database client (its own database; no other service reads these tables). */
export class PrismaService extends PrismaClient {
  constructor(connectionString: string) {
    super({ adapter: new PrismaPg({ connectionString }) });
  }

  /** For /ready: a round trip to PostgreSQL. */
  async ping(): Promise<void> {
    await this.$queryRaw`select 1`;
  }
}
