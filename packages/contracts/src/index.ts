export * from './ids.js';
export * from './agent-protocol/limits.js';
export * from './agent-protocol/messages.js';
export * from './agent-protocol/codec.js';
export * from './commands/verbs.js';
export * from './commands/argv.js';
export * from './nats/subjects.js';
export * from './agent-protocol/ws-text.js';
