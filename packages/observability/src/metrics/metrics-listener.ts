import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { metricsRegistry } from './registry.js';

/** Where the separate metrics listener binds. */
export interface MetricsListenerOptions {
  port: number;
  host: string;
}
export const METRICS_LISTENER_OPTIONS = Symbol('METRICS_LISTENER_OPTIONS');

/**
 * Answers GET /metrics with the registry's Prometheus text and 404 to anything else.
 * A plain node:http handler: nothing of Nest (no guards, no request logs, no HTTP
 * metrics of its own) runs for a scrape.
 */
export async function serveMetrics(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '').split('?')[0];
  if (req.method !== 'GET' || path !== '/metrics') {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
    return;
  }
  try {
    const body = await metricsRegistry.metrics();
    res.writeHead(200, { 'content-type': metricsRegistry.contentType }).end(body);
  } catch (err) {
    res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`${(err as Error).message}\n`);
  }
}

/**
 * /metrics on a port of its own (METRICS_PORT), so a service whose HTTP port is
 * public (the gateway's API, agent-hub's agent WebSocket) does not show its
 * internals there. It opens when the application's HTTP server starts
 * listening — an app that is only initialised (a test of its routes) binds
 * nothing — and closes with the application. A port that cannot be bound is
 * re-emitted as an `error` of the HTTP server: unhandled, it stops the process,
 * as a taken HTTP port does.
 */
@Injectable()
export class MetricsListener implements OnModuleInit, OnApplicationShutdown {
  private server: Server | undefined;
  private listening: Promise<void> | undefined;
  private readonly log = new Logger('MetricsListener');

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(METRICS_LISTENER_OPTIONS) private readonly options: MetricsListenerOptions,
  ) {}

  onModuleInit(): void {
    const http = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    http?.once('listening', () => {
      this.listening = this.start().catch((err: Error) => {
        http.emit('error', err);
      });
    });
  }

  /** The bound address once listening (the port is the configured one unless that was 0). */
  async address(): Promise<AddressInfo | undefined> {
    await this.listening;
    return (this.server?.address() as AddressInfo | null) ?? undefined;
  }

  private start(): Promise<void> {
    const server = createServer((req, res) => void serveMetrics(req, res));
    this.server = server;
    return new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => {
        server.off('error', reject);
        this.log.log(`metrics on http://${this.options.host}:${(server.address() as AddressInfo).port}/metrics`);
        resolve();
      });
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.listening;
    const server = this.server;
    if (!server?.listening) return;
    // A scraper keeps its connection alive between scrapes: close it rather than wait for it.
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}
