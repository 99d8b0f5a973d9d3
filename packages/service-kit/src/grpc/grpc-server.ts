import type { INestApplication, INestMicroservice } from '@nestjs/common';
import type { MicroserviceOptions } from '@nestjs/microservices';
import type { PackageDefinition } from '@grpc/proto-loader';
import { grpcPackages } from '@fleetplane/contracts/grpc';
import { ReadinessRegistry } from '@fleetplane/observability';
import { GrpcExceptionFilter } from './grpc-exception.filter.js';
import { GrpcHealth } from './grpc-health.js';
import { grpcServerOptions, type GrpcServiceKey } from './grpc-options.js';

export interface GrpcServerSpec {
  key: GrpcServiceKey;
  /** host:port to listen on. */
  url: string;
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
 * Starts the service's gRPC server beside its HTTP server: reflection,
 * `grpc.health.v1.Health` fed by the readiness checks, and the exception
 * filter that turns outages into UNAVAILABLE. Returns the health service so
 * shutdown can report NOT_SERVING at once.
 */
export async function startGrpcServer(app: INestApplication, service: string, spec: GrpcServerSpec): Promise<GrpcHealth> {
  const readiness = app.get(ReadinessRegistry);
  let health: GrpcHealth | undefined;
  const options = grpcServerOptions(spec.key, spec.url, (pkg, server) => {
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
  await app.startAllMicroservices();
  if (!health) throw new Error(`gRPC server for ${spec.key} started without its health service`);
  health.start();
  return health;
}
