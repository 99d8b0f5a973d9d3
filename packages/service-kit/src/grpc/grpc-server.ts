import type { INestApplication, INestMicroservice } from '@nestjs/common';
import type { MicroserviceOptions } from '@nestjs/microservices';
import type { PackageDefinition } from '@grpc/proto-loader';
import { grpcPackages } from '@fleetplane/contracts/grpc';
import { ReadinessRegistry } from '@fleetplane/observability';
import { GrpcExceptionFilter } from './grpc-exception.filter.js';
import { GrpcHealth } from './grpc-health.js';
import { grpcServerOptions, type GrpcServiceKey } from './grpc-options.js';

/** What ts-proto generates for a message with `outputEncodeMethods=encode-only` (its `MessageFns`). */
export interface MessageEncoder<T = never> {
  encode(message: T): { finish(): Uint8Array };
}

export interface GrpcServerSpec {
  key: GrpcServiceKey;
  /** host:port to listen on. */
  url: string;
  /**
   * Responses to encode with ts-proto's generated encoder instead of proto-loader's, by
   * `Service.Method` of the key's package — for the methods whose answers are large
   * (thousands of nested messages): proto-loader copies the answer into protobufjs
   * messages and then builds an operation list per field, about 6x the garbage and 2x the
   * time (BENCHMARKS.md, telemetry history). The bytes are the same message on the wire.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each method's response type differs
  responseEncoders?: Record<string, MessageEncoder<any>>;
}

/** What connectMicroservice itself calls when not deferred (public on NestMicroservice, not on its interface). */
interface DeferredMicroservice {
  registerListeners(): void;
  setIsInitialized(v: boolean): void;
  setIsInitHookCalled(v: boolean): void;
}

/** The full names of the services a loaded package defines (message types carry a `format`, services do not). */
const servicesOf = (pkg: PackageDefinition, prefix: string) =>
  Object.entries(pkg)
    .filter(([name, def]) => name.startsWith(`${prefix}.`) && !('format' in def))
    .map(([name]) => name);

/**
 * Puts each encoder in place of its method's `responseSerialize` in the loaded package, before
 * the server adds the services (it reads the serializers then). A name the package does not
 * define fails start-up: a typo must not silently keep the slow path.
 */
function useResponseEncoders(pkg: PackageDefinition, prefix: string, encoders: Record<string, MessageEncoder<unknown>>): void {
  for (const [path, encoder] of Object.entries(encoders)) {
    const [service, method] = path.split('.');
    const def = (pkg[`${prefix}.${service}`] as Record<string, { responseSerialize: (value: unknown) => Buffer }> | undefined)?.[method ?? ''];
    if (!def?.responseSerialize) throw new Error(`responseEncoders: ${prefix} has no method ${path}`);
    def.responseSerialize = (value) => {
      const bytes = encoder.encode(value).finish();
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    };
  }
}

/**
 * Starts the service's gRPC server beside its HTTP server: reflection,
 * `grpc.health.v1.Health` fed by the readiness checks, and the exception
 * filter that turns outages into UNAVAILABLE. Returns the health service so
 * shutdown can report NOT_SERVING at once.
 */
export async function startGrpcServer(app: INestApplication, service: string, spec: GrpcServerSpec): Promise<GrpcHealth> {
  const readiness = app.get(ReadinessRegistry);
  let health: GrpcHealth | undefined;
  let encodersError: Error | undefined;
  const options = grpcServerOptions(spec.key, spec.url, (pkg, server) => {
    try {
      useResponseEncoders(pkg, grpcPackages[spec.key], spec.responseEncoders ?? {});
    } catch (err) {
      encodersError = err as Error;
      throw err;
    }
    health = new GrpcHealth(readiness, servicesOf(pkg, grpcPackages[spec.key]));
    health.addToServer(server);
  });
  // Its own config (not the HTTP app's, where a catch-all filter would swallow HTTP errors), and the
  // filter set before the handlers are bound: connectMicroservice binds them at once unless deferred.
  const microservice = app.connectMicroservice<MicroserviceOptions>(options, { inheritAppConfig: false, deferInitialization: true }) as INestMicroservice &
    DeferredMicroservice;
  microservice.useGlobalFilters(new GrpcExceptionFilter(service));
  microservice.registerListeners();
  microservice.setIsInitialized(true);
  microservice.setIsInitHookCalled(true);
  // Nest replaces an error thrown while loading the package with its own "invalid .proto definition".
  await app.startAllMicroservices().catch((err: unknown) => {
    throw encodersError ?? err;
  });
  if (!health) throw new Error(`gRPC server for ${spec.key} started without its health service`);
  health.start();
  return health;
}
