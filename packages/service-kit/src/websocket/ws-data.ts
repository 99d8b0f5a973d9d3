/** A `ws` message (its RawData: one buffer, fragments, or an ArrayBuffer) as UTF-8 text. */
export function wsDataToText(data: Buffer | ArrayBuffer | Buffer[]): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}

// TEMPORARY, until `@fleetplane/service-kit/websocket` is wired as a subpath
// export: the root index exports this file, so the apps reach the session base
// through it. Remove these lines then; `./index.ts` exports them all.
export * from './close-reason.js';
export * from './live-sessions.js';
export * from './session-ports.js';
export * from './ws-connection.js';
export * from './ws-session.js';
