import 'reflect-metadata';
import { Logger as NestLogger, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { GrpcOptions } from '@nestjs/microservices';
import { Logger } from 'nestjs-pino';
import { ReadinessRegistry, shutdownTracing } from '@fleetplane/observability';

export interface RunServiceOptions {
  name: string;
  module: Type<unknown> | ReturnType<typeof Object>;
  http: { host: string; port: number };
  grpc?: GrpcOptions;
  shutdownTimeoutMs: number;
  /** Adapters, global pipes, CORS: anything the service sets up before listening. */
  configure?: (app: INestApplication) => void | Promise<void>;
}

/**
 * Starts a service: HTTP (health, ready, metrics and any API), optionally gRPC,
 * and a graceful shutdown on SIGTERM/SIGINT: report not ready, stop taking
 * work, let in-flight work and NATS drain, flush spans, exit.
 */
export async function runService(opts: RunServiceOptions): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(opts.module as Type<unknown>, { bufferLogs: true });
  app.disable('x-powered-by');
  app.useLogger(app.get(Logger));
  await opts.configure?.(app);
  if (opts.grpc) {
    app.connectMicroservice(opts.grpc, { inheritAppConfig: true });
    await app.startAllMicroservices();
  }
  await app.listen(opts.http.port, opts.http.host);
  const log = new NestLogger(opts.name);
  log.log(`${opts.name} listening on http://${opts.http.host}:${opts.http.port}${opts.grpc ? ` and gRPC ${opts.grpc.options?.url}` : ''}`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.log(`${signal} received, draining`);
    const force = setTimeout(() => {
      log.error(`shutdown took longer than ${opts.shutdownTimeoutMs} ms, exiting`);
      process.exit(1);
    }, opts.shutdownTimeoutMs);
    force.unref();
    try {
      app.get(ReadinessRegistry).markDraining();
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
