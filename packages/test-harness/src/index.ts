export { freePort } from './ports.js';
export type { ServerHandle, ServerOptions } from './server-handle.js';
export { startNats } from './nats.js';
export { startRedis } from './redis.js';
export { runSql, startPostgres, type PostgresHandle } from './postgres.js';
export { startInfra, type Infra } from './stack.js';
export { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './otlp-receiver.js';
export { spawnProcess, type ManagedProcess, type SpawnProcessOptions } from './process.js';
export { SERVICE_NODE_ARGS } from './service-command.js';
