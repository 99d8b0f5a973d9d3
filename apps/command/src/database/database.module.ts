import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { ReadinessRegistry } from '@fleetplane/observability';
import { PrismaService } from './prisma.service.js';

class PrismaCloser implements OnApplicationShutdown {
  constructor(@Inject(PrismaService) private readonly prisma: PrismaService) {}
  // Runs after the workers and the results consumer have stopped (they close earlier in the shutdown).
  async onApplicationShutdown(): Promise<void> {
    await this.prisma.$disconnect();
  }
}

@Module({})
export class DatabaseModule {
  static forRoot(databaseUrl: string): DynamicModule {
    return {
      global: true,
      module: DatabaseModule,
      providers: [
        {
          provide: PrismaService,
          inject: [ReadinessRegistry],
          useFactory: async (readiness: ReadinessRegistry) => {
            const prisma = new PrismaService(databaseUrl);
            await prisma.$connect();
            readiness.register('postgres', () => prisma.ping());
            return prisma;
          },
        },
        PrismaCloser,
      ],
      exports: [PrismaService],
    };
  }
}
