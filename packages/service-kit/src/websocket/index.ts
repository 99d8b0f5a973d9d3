// `@fleetplane/service-kit/websocket`: the base for WebSocket sessions and their Nest host.
export * from './close-reason.js';
export * from './live-sessions.js';
export * from './session-ports.js';
export * from './ws-connection.js';
export * from './ws-session.js';
