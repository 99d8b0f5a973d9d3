import { defineConfig } from 'vitest/config';

// One run, one report: unit tests (fast, fakes allowed) and integration tests
// (real NATS, Redis, PostgreSQL, gRPC and WebSocket on loopback, started by
// @fleetplane/test-harness). Integration files end in .int.spec.ts.
export default defineConfig({
  test: {
    reporters: process.env.CI ? ['default', ['json', { outputFile: '.vitest-report.json' }]] : ['default'],
    projects: [
      {
        test: {
          name: 'unit',
          sequence: { groupOrder: 0 },
          include: ['packages/*/src/**/*.spec.ts', 'apps/*/src/**/*.spec.ts'],
          // *.chaos.spec.ts is the chaos project below.
          exclude: ['**/*.int.spec.ts', '**/*.chaos.spec.ts', '**/node_modules/**', '**/dist/**'],
        },
      },
      {
        test: {
          name: 'integration',
          // Unit tests first: they fail fast and need no servers.
          sequence: { groupOrder: 1 },
          include: ['packages/*/src/**/*.int.spec.ts', 'apps/*/src/**/*.int.spec.ts', 'tests/**/*.int.spec.ts'],
          exclude: ['**/node_modules/**', '**/dist/**'],
          testTimeout: 60_000,
          hookTimeout: 180_000,
          // Each file starts its own servers; two cores leave room for two files at once.
          maxWorkers: 2,
        },
      },
      {
        test: {
          name: 'chaos',
          // Last and alone: the multi-instance test (3 NATS nodes, two instances of every service,
          // 52 agents) kills a NATS node and one instance of each service under load; about two
          // minutes on two cores, and it needs both of them to itself to be a fair test.
          sequence: { groupOrder: 2 },
          include: ['packages/*/src/**/*.chaos.spec.ts'],
          exclude: ['**/node_modules/**', '**/dist/**'],
          testTimeout: 600_000,
          hookTimeout: 300_000,
          maxWorkers: 1,
        },
      },
    ],
  },
});
