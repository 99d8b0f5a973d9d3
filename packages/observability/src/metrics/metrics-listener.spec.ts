import 'reflect-metadata';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ObservabilityModule, type ObservabilityOptions } from '../observability.module.js';
import { MetricsListener } from './metrics-listener.js';

/** A Nest HTTP app with only the observability module, listening on a free loopback port. */
async function startApp(opts: Omit<ObservabilityOptions, 'service'>, listen = true) {
  @Module({ imports: [ObservabilityModule.forRoot({ service: 'metrics-test', ...opts })] })
  class TestModule {}
  const app = await NestFactory.create(TestModule, { logger: false });
  if (listen) await app.listen(0, '127.0.0.1');
  else await app.init();
  apps.push(app);
  const base = listen ? `http://127.0.0.1:${((app.getHttpServer() as Server).address() as AddressInfo).port}` : '';
  return { app, base };
}
const apps: INestApplication[] = [];

const get = async (url: string, init?: RequestInit) => {
  const res = await fetch(url, init);
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
};

describe('/metrics on a port of its own (ObservabilityModule.forRoot({ metricsPort }))', () => {
  beforeAll(() => {
    process.env.LOG_LEVEL = 'silent';
  });

  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
  });

  it('serves Prometheus text on the metrics port and 404 for /metrics on the HTTP port', async () => {
    const { app, base } = await startApp({ metricsPort: 0, metricsHost: '127.0.0.1' });
    const metricsPort = (await app.get(MetricsListener).address())!.port;
    expect(metricsPort).not.toBe(Number(new URL(base).port));

    const scrape = await get(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(scrape.status).toBe(200);
    expect(scrape.type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(scrape.body).toMatch(/^process_cpu_user_seconds_total\{service="metrics-test"\} /m);

    expect((await get(`${base}/metrics`)).status).toBe(404);
    expect((await get(`${base}/health`)).status).toBe(200);
    expect((await get(`${base}/ready`)).status).toBe(200);
  });

  it('answers only GET /metrics on the metrics port', async () => {
    const { app } = await startApp({ metricsPort: 0, metricsHost: '127.0.0.1' });
    const metrics = `http://127.0.0.1:${(await app.get(MetricsListener).address())!.port}`;
    expect((await get(`${metrics}/metrics?x=1`)).status).toBe(200);
    expect((await get(`${metrics}/health`)).status).toBe(404);
    expect((await get(`${metrics}/`)).status).toBe(404);
    expect((await get(`${metrics}/metrics`, { method: 'POST' })).status).toBe(404);
  });

  it('closes the metrics listener with the application, kept-alive scrapers included', async () => {
    const { app } = await startApp({ metricsPort: 0, metricsHost: '127.0.0.1' });
    const metrics = `http://127.0.0.1:${(await app.get(MetricsListener).address())!.port}/metrics`;
    expect((await get(metrics)).status).toBe(200); // fetch keeps this connection alive
    await apps.pop()!.close();
    await expect(fetch(metrics)).rejects.toThrow();
  });

  it('binds nothing for an application that is initialised but never listens', async () => {
    const { app } = await startApp({ metricsPort: 0, metricsHost: '127.0.0.1' }, false);
    expect(await app.get(MetricsListener).address()).toBeUndefined();
  });

  it('without a metrics port, serves /metrics on the HTTP port as before', async () => {
    const { base } = await startApp({});
    const scrape = await get(`${base}/metrics`);
    expect(scrape.status).toBe(200);
    expect(scrape.type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(scrape.body).toMatch(/service="metrics-test"/);
  });
});
