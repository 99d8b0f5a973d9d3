// Loaded before the application with `node --import @fleetplane/observability/instrument`,
// so that http, gRPC, pg and ioredis are patched before anything imports them.
// Deliberately imports only the tracing bootstrap: a barrel would pull in the
// very libraries that must be patched first.
import { startTracing } from './tracing/sdk.js';

startTracing();
