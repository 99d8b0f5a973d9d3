// Loaded before the application with `node --import @fleetplane/observability/instrument`,
// so that http, gRPC, pg and ioredis are patched before anything imports them; node
// waits for this module (and its top-level await) before it loads the application.
// Deliberately imports only the tracing bootstrap: a barrel would pull in the
// very libraries that must be patched first.
import { startTracing } from './tracing/sdk.js';

await startTracing();
