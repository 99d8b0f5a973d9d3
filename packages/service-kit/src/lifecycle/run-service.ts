import 'reflect-metadata';
import { setTimeout as sleep } from 'node:timers/promises';
import { Logger as NestLogger, type INestApplication, type Type, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { ReadinessRegistry, shutdownTracing } from '@fleetplane/observability';
import { shutdownDelayMs, type ServiceLifecycleConfig } from '../config/load-config.js';
import type { GrpcServerSpec } from '../grpc/grpc-server.js';

/** The HTTP server's accept queue, as nginx and the NATS server use. */
export const LISTEN_BACKLOG = 4096;

export interface RunServiceOptions {
  name: string;
  module: Type<unknown> | DynamicModule;
  config: ServiceLifecycleConfig;
  /** The service's gRPC API, if it has one (with reflection, health and the exception filter). */
  grpc?: GrpcServerSpec;
  /** Adapters, global pipes, CORS: anything the service sets up before listening. */
  configure?: (app: INestApplication) => void | Promise<void>;
}

/**
 * Starts a service: HTTP (health, ready, metrics and any API), optionally gRPC,
 * and a graceful shutdown on SIGTERM/SIGINT: report not ready (HTTP and gRPC
 * health), wait SHUTDOWN_DELAY_MS so load balancers notice, stop taking work,
 * let in-flight work and NATS drain, flush spans, exit.
 */
export async function runService(opts: RunServiceOptions): Promise<INestApplication> {
  const { config } = opts;
  const app = await NestFactory.create<NestExpressApplication>(opts.module as Type<unknown>, { bufferLogs: true });
  app.disable('x-powered-by');
  app.useLogger(app.get(Logger));
  await opts.configure?.(app);
  // gRPC (grpc-js, proto loading, reflection) is loaded only by services that serve it.
  const health = opts.grpc ? await (await import('../grpc/grpc-server.js')).startGrpcServer(app, opts.name, opts.grpc) : undefined;
  // Node's default listen backlog is 511: a reconnect storm of thousands of agents (agent-hub) or
  // a burst of clients overflows it and the kernel drops SYNs, which clients see as second-long
  // retransmit waits. Nest passes extra arguments through to http.Server.listen(port, host,
  // backlog); the kernel caps it at net.core.somaxconn.
  await (app as unknown as { listen(port: number, host: string, backlog: number): Promise<unknown> }).listen(
    config.HTTP_PORT,
    config.HTTP_HOST,
    LISTEN_BACKLOG,
  );
  const log = new NestLogger(opts.name);
  log.log(`${opts.name} listening on http://${config.HTTP_HOST}:${config.HTTP_PORT}${opts.grpc ? ` and gRPC ${opts.grpc.url}` : ''}`);

  const delayMs = shutdownDelayMs(config);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.log(`${signal} received: not ready now${delayMs ? `, draining in ${delayMs} ms` : ', draining'}`);
    const force = setTimeout(() => {
      log.error(`shutdown took longer than ${delayMs + config.SHUTDOWN_TIMEOUT_MS} ms, exiting`);
      process.exit(1);
    }, delayMs + config.SHUTDOWN_TIMEOUT_MS);
    force.unref();
    try {
      app.get(ReadinessRegistry).markDraining();
      await health?.refresh();
      if (delayMs) await sleep(delayMs);
      health?.stop();
      await app.close();
      await shutdownTracing();
      process.exit(0);
    } catch (err) {
      log.error(`shutdown failed: ${(err as Error).message}`);
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  return app;
}

/** Wraps a service's main: a configuration error is printed plainly and exits 1, without a stack trace. */
export function main(start: () => Promise<unknown>): void {
  start().catch((err: Error) => {
    if (err.name === 'ConfigError') process.stderr.write(`${err.message}\n`);
    else process.stderr.write(`fatal: ${err.stack ?? err.message}\n`);
    process.exit(1);
  });
}
