import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { ClientProxyFactory, type ClientGrpc } from '@nestjs/microservices';
import { Metadata, status, type CallOptions } from '@grpc/grpc-js';
import type { Histogram } from 'prom-client';
import { firstValueFrom, lastValueFrom, timeout, TimeoutError, toArray, type Observable, type Subscription } from 'rxjs';
import { SERVICE_CONFIG } from '../config/config.module.js';
import { MetricFactory } from '../metrics/metric-factory.js';
import { grpcStatusOf } from './grpc-errors.js';
import { grpcClientOptions, type GrpcServiceKey } from './grpc-options.js';
import { UpstreamError } from './upstream-error.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- method signatures of generated stubs are matched structurally */
type RequestOf<F> = F extends (request: infer R, ...rest: any[]) => Observable<any> ? R : never;
type ResponseOf<F> = F extends (...args: any[]) => Observable<infer R> ? R : never;
type UnaryMethods<S> = { [M in keyof S]: S[M] extends (request: any, ...rest: any[]) => Observable<any> ? M : never }[keyof S] & string;
/* eslint-enable @typescript-eslint/no-explicit-any */

/** `C`: the service's config type, for specs that read their address or deadline from it. */
export interface GrpcClientSpec<C = Record<string, unknown>> {
  /** The peer's name as metrics, logs and errors show it (`command`, `agent-hub`). */
  upstream: string;
  key: GrpcServiceKey;
  /** The service name in the proto package (ts-proto's `X_SERVICE_NAME`). */
  service: string;
  /** host:port, or how to read it from the service config. */
  url: string | ((config: C) => string);
  /** Deadline of every call, sent to the server so it can stop working on a call nobody waits for. */
  timeoutMs: number | ((config: C) => number);
}

type ResolvedSpec = Omit<GrpcClientSpec, 'url' | 'timeoutMs'> & { url: string; timeoutMs: number };

/**
 * Another service's gRPC API with the deadline sent on every call, the same
 * bound on our side, the call timed in `…_upstream_request_duration_seconds`
 * by upstream, method and status, and failures as UpstreamError with the
 * gRPC status. Trace context travels in the metadata through the gRPC
 * instrumentation.
 */
export class GrpcClient<S extends object> {
  constructor(
    private readonly spec: ResolvedSpec,
    private readonly stub: S,
    private readonly duration: Histogram<'upstream' | 'method' | 'code'>,
  ) {}

  async call<M extends UnaryMethods<S>>(method: M, request: RequestOf<S[M]>, opts: { timeoutMs?: number } = {}): Promise<ResponseOf<S[M]>> {
    return this.invoke(method, request, opts, (messages) => firstValueFrom(messages));
  }

  /**
   * Every message of a server-streaming method, gathered, under one deadline for the whole
   * stream: for bounded streams a caller needs whole (agent-hub's SelectAgents pages).
   */
  async collect<M extends UnaryMethods<S>>(method: M, request: RequestOf<S[M]>, opts: { timeoutMs?: number } = {}): Promise<ResponseOf<S[M]>[]> {
    return this.invoke(method, request, opts, (messages) => lastValueFrom(messages.pipe(toArray())));
  }

  /**
   * Every message of a server-streaming method handed to `onMessage` as it arrives, under one
   * deadline for the whole stream: for streams too large to hold (telemetry's StreamHistory).
   * `onMessage` runs synchronously per message, so the call reads no faster than the caller
   * consumes; a throw from it, or `signal`, cancels the call (the throw is what rejects).
   */
  async each<M extends UnaryMethods<S>>(
    method: M,
    request: RequestOf<S[M]>,
    onMessage: (message: ResponseOf<S[M]>) => void,
    opts: { timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<void> {
    let thrown: { err: unknown } | undefined;
    await this.invoke(
      method,
      request,
      opts,
      (messages) =>
        new Promise<void>((resolve, reject) => {
          // Held in an object: a message can arrive (and end the call) before subscribe() returns.
          const held: { sub?: Subscription } = {};
          const end = () => {
            held.sub?.unsubscribe();
            opts.signal?.removeEventListener('abort', end);
            resolve();
          };
          opts.signal?.addEventListener('abort', end, { once: true });
          held.sub = messages.subscribe({
            next: (m) => {
              if (thrown) return;
              try {
                onMessage(m);
              } catch (err) {
                thrown = { err };
                end();
              }
            },
            error: (err: Error) => {
              opts.signal?.removeEventListener('abort', end);
              reject(err);
            },
            complete: end,
          });
          if (thrown || opts.signal?.aborted) end();
        }),
    );
    if (thrown) throw thrown.err;
  }

  private async invoke<M extends UnaryMethods<S>, T>(
    method: M,
    request: RequestOf<S[M]>,
    opts: { timeoutMs?: number },
    settle: (messages: Observable<ResponseOf<S[M]>>) => Promise<T>,
  ): Promise<T> {
    const timeoutMs = opts.timeoutMs ?? this.spec.timeoutMs;
    // Nest's gRPC client passes extra arguments on to grpc-js: (request, metadata, options).
    const fn = (this.stub[method] as (req: unknown, metadata: Metadata, options: CallOptions) => Observable<ResponseOf<S[M]>>).bind(this.stub);
    const stop = this.duration.startTimer({ upstream: this.spec.upstream, method });
    try {
      const response = await settle(fn(request, new Metadata(), { deadline: Date.now() + timeoutMs }).pipe(timeout({ first: timeoutMs + 500 })));
      stop({ code: 'OK' });
      return response;
    } catch (err) {
      const code = err instanceof TimeoutError ? status.DEADLINE_EXCEEDED : (grpcStatusOf(err) ?? status.UNKNOWN);
      stop({ code: status[code] ?? String(code) });
      const details = (err as { details?: unknown }).details;
      throw new UpstreamError(this.spec.upstream, method, code, typeof details === 'string' ? details : (err as Error).message);
    }
  }
}

/** The injection token of a client; prefer `@InjectGrpcClient(upstream)`. */
export const grpcClientToken = (upstream: string) => `fleetplane:grpc-client:${upstream}`;
export const InjectGrpcClient = (upstream: string): ParameterDecorator => Inject(grpcClientToken(upstream));

/**
 * gRPC clients of other services. A peer is not a readiness dependency: while
 * it is down, the calls that need it fail with UNAVAILABLE and the rest of the
 * service keeps working.
 */
@Module({})
export class GrpcClientModule {
  static register<C extends object>(...specs: GrpcClientSpec<C>[]): DynamicModule {
    const proxies: Array<{ close(): unknown }> = [];
    class ClientCloser implements OnApplicationShutdown {
      onApplicationShutdown(): void {
        for (const p of proxies) p.close();
      }
    }
    return {
      module: GrpcClientModule,
      providers: [
        ...specs.map((spec) => ({
          provide: grpcClientToken(spec.upstream),
          inject: [MetricFactory, SERVICE_CONFIG],
          // SERVICE_CONFIG holds the config the service validated in main: the C its specs are written for.
          useFactory: (metrics: MetricFactory, config: C) => {
            const resolved: ResolvedSpec = {
              ...spec,
              url: typeof spec.url === 'function' ? spec.url(config) : spec.url,
              timeoutMs: typeof spec.timeoutMs === 'function' ? spec.timeoutMs(config) : spec.timeoutMs,
            };
            const proxy = ClientProxyFactory.create(grpcClientOptions(spec.key, resolved.url)) as unknown as ClientGrpc & { close(): unknown };
            proxies.push(proxy);
            const duration = metrics.histogram({
              name: 'upstream_request_duration_seconds',
              help: 'gRPC calls to other services, by upstream service, method and gRPC status',
              labelNames: ['upstream', 'method', 'code'] as const,
              buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
            });
            return new GrpcClient(resolved, proxy.getService<object>(spec.service), duration);
          },
        })),
        ClientCloser,
      ],
      exports: specs.map((s) => grpcClientToken(s.upstream)),
    };
  }
}
