import 'reflect-metadata';
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  BadRequestException,
  Controller,
  Get,
  Injectable,
  Module,
  UnauthorizedException,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
  type INestApplication,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { httpRequestDuration } from '../metrics/http-metrics.js';
import { ObservabilityModule } from '../observability.module.js';
import { shutdownTracing, startTracing } from '../tracing/sdk.js';

/** 401 without a token, 403 with the wrong one: a guard refuses before any interceptor or handler runs. */
@Injectable()
class TokenGuard implements CanActivate {
  canActivate(ctx: ExecutionContext): boolean {
    const auth = ctx.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>().headers.authorization;
    if (!auth) throw new UnauthorizedException();
    return auth === 'Bearer good';
  }
}

@Controller('commands')
class CommandsController {
  @Get(':id')
  @UseGuards(TokenGuard)
  get(): { ok: true } {
    return { ok: true };
  }

  @Get(':id/boom')
  boom(): never {
    throw new Error('handler bug');
  }

  @Get(':id/bad')
  bad(): never {
    throw new BadRequestException('bad id');
  }
}

const exporter = new InMemorySpanExporter();

describe('HTTP metrics and server span names (a real Nest HTTP app in-process)', () => {
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    process.env.LOG_LEVEL = 'silent';
    // The services' own bootstrap, with the http instrumentation and an in-memory exporter.
    await startTracing({ instrumentations: ['http'], spanProcessors: [new SimpleSpanProcessor({ exporter })], esmHooks: false });
    // The instrumentation patches node:http when it is next required; Nest's adapter requires it lazily.
    createRequire(import.meta.url)('http');
    @Module({ imports: [ObservabilityModule.forRoot({ service: 'http-test' })], controllers: [CommandsController] })
    class TestModule {}
    app = await NestFactory.create(TestModule, { logger: false });
    app.setGlobalPrefix('api/v1', { exclude: ['health', 'ready', 'metrics'] });
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${((app.getHttpServer() as Server).address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app?.close();
    await shutdownTracing();
  });

  beforeEach(() => {
    httpRequestDuration.reset();
    exporter.reset();
  });

  const get = async (path: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}${path}`, { headers });
    await res.arrayBuffer();
    return res.status;
  };

  /** Request counts by "method route status", from the histogram's _count series. */
  const counts = async () => {
    const { values } = await httpRequestDuration.get();
    return Object.fromEntries(
      values
        .filter((v) => v.metricName === 'http_server_request_duration_seconds_count' && v.value > 0)
        .map((v) => [`${v.labels.http_request_method} ${v.labels.http_route} ${v.labels.http_response_status_code}`, v.value]),
    );
  };

  /** The server span of each request, once the instrumentation ended it (on the response's close). */
  const serverSpans = async (n: number): Promise<ReadableSpan[]> => {
    for (let i = 0; i < 100 && exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.SERVER).length < n; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    return exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.SERVER);
  };

  it('records requests refused by a guard with their status and route template', async () => {
    expect(await get('/api/v1/commands/c-1')).toBe(401);
    expect(await get('/api/v1/commands/c-2', { authorization: 'Bearer wrong' })).toBe(403);
    expect(await get('/api/v1/commands/c-3', { authorization: 'Bearer good' })).toBe(200);
    expect(await counts()).toEqual({
      'GET /api/v1/commands/:id 401': 1,
      'GET /api/v1/commands/:id 403': 1,
      'GET /api/v1/commands/:id 200': 1,
    });
  });

  it('records thrown errors with the status the exception filter sent', async () => {
    expect(await get('/api/v1/commands/c-1/boom')).toBe(500);
    expect(await get('/api/v1/commands/c-1/bad')).toBe(400);
    expect(await counts()).toEqual({ 'GET /api/v1/commands/:id/boom 500': 1, 'GET /api/v1/commands/:id/bad 400': 1 });
  });

  it('records a request no route matched as unmatched, never by its URL', async () => {
    expect(await get('/api/v1/nothing/here/42')).toBe(404);
    expect(await get('/outside/the/prefix')).toBe(404);
    expect(await counts()).toEqual({ 'GET unmatched 404': 2 });
  });

  it('names server spans "METHOD /route" with http.route, guard-refused and failed requests too', async () => {
    await get('/api/v1/commands/c-1');
    await get('/api/v1/commands/c-1/boom');
    await get('/api/v1/nothing');
    const spans = await serverSpans(3);
    const byStatus = new Map(spans.map((s) => [Number(s.attributes['http.response.status_code']), s]));
    expect(byStatus.get(401)?.name).toBe('GET /api/v1/commands/:id');
    expect(byStatus.get(401)?.attributes['http.route']).toBe('/api/v1/commands/:id');
    expect(byStatus.get(500)?.name).toBe('GET /api/v1/commands/:id/boom');
    expect(byStatus.get(500)?.attributes['http.route']).toBe('/api/v1/commands/:id/boom');
    // No route: semconv's name is the method alone, and no http.route.
    expect(byStatus.get(404)?.name).toBe('GET');
    expect(byStatus.get(404)?.attributes['http.route']).toBeUndefined();
  });

  it('counts /health (outside the global prefix) but does not trace it', async () => {
    expect(await get('/health')).toBe(200);
    expect(await get('/api/v1/commands/c-1')).toBe(401);
    expect(await counts()).toEqual({ 'GET /health 200': 1, 'GET /api/v1/commands/:id 401': 1 });
    expect((await serverSpans(1)).map((s) => s.name)).toEqual(['GET /api/v1/commands/:id']);
  });
});
