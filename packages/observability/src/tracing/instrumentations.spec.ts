import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { appDependencies, selectInstrumentations } from './instrumentations.js';

describe('selectInstrumentations', () => {
  it('gives a service shell http only, and each client library its instrumentation', () => {
    expect(selectInstrumentations({}, ['@nestjs/core', 'zod'])).toEqual(['http']);
    expect(selectInstrumentations({}, ['@grpc/grpc-js', '@prisma/adapter-pg'])).toEqual(['http', 'grpc', 'pg']);
    expect(selectInstrumentations({}, ['bullmq'])).toEqual(['http', 'ioredis']);
    expect(selectInstrumentations({}, ['pg', 'ioredis'])).toEqual(['http', 'pg', 'ioredis']);
  });

  it('enables all of them when the service is unknown', () => {
    expect(selectInstrumentations({}, undefined)).toEqual(['http', 'grpc', 'pg', 'ioredis']);
  });

  it('follows OTEL_NODE_ENABLED_INSTRUMENTATIONS and OTEL_NODE_DISABLED_INSTRUMENTATIONS', () => {
    expect(selectInstrumentations({ OTEL_NODE_ENABLED_INSTRUMENTATIONS: ' pg, http ' }, [])).toEqual(['pg', 'http']);
    expect(selectInstrumentations({ OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,redis,grpc' }, [])).toEqual(['http', 'grpc']);
    expect(selectInstrumentations({ OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'grpc' }, ['@grpc/grpc-js', 'pg'])).toEqual(['http', 'pg']);
    expect(selectInstrumentations({ OTEL_NODE_ENABLED_INSTRUMENTATIONS: '' }, ['pg'])).toEqual(['http', 'pg']);
  });
});

describe('appDependencies', () => {
  const root = mkdtempSync(join(tmpdir(), 'fp-appdeps-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("reads the nearest named package.json above the entry script, past a build dir's format-only one", () => {
    mkdirSync(join(root, 'svc/dist/sub'), { recursive: true });
    writeFileSync(join(root, 'svc/package.json'), JSON.stringify({ name: 'svc', dependencies: { pg: '1' }, optionalDependencies: { ioredis: '1' } }));
    writeFileSync(join(root, 'svc/dist/package.json'), JSON.stringify({ type: 'module' }));
    expect(appDependencies(join(root, 'svc/dist/sub/main.js'))).toEqual(['pg', 'ioredis']);
  });

  it('is undefined without an entry script or a package.json', () => {
    expect(appDependencies(undefined)).toBeUndefined();
    expect(appDependencies('/main.js')).toBeUndefined();
  });
});
